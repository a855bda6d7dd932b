/** Pixels per latent token of FLUX.2: the VAE downsamples by 8, then 2 x 2 patches make one token; probe resolutions are multiples of it. */
export const PIXELS_PER_TOKEN = 16;

/** Probe resolution [height, width] in pixels of a model folder whose model.json gives none (or that has no model.json): 1024 x 1024, 64 x 64 latent tokens. */
export const DEFAULT_RESOLUTION: readonly [number, number] = [1024, 1024];

/** Tokens per prompt of a folder's text encoder when its config gives none: FLUX.2 klein's `max_sequence_length`. */
export const DEFAULT_TEXT_LENGTH = 512;

/**
 * Largest probe image side in pixels: 256 tokens a side, 65,536 image tokens, already far past
 * what one attention call fits in memory (FLUX.2 works at up to about 4 megapixels, 2048 a side).
 */
export const MAX_RESOLUTION_SIDE = 4096;

/** Whether [height, width] is a probe resolution: two multiples of `PIXELS_PER_TOKEN` from 16 to `MAX_RESOLUTION_SIDE`. */
export function isResolution(value: unknown): value is readonly [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v) && v > 0 && v <= MAX_RESOLUTION_SIDE && v % PIXELS_PER_TOKEN === 0);
}
