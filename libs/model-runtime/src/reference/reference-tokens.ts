import type { EncodedImage } from '../vae/vae-step.js';

/** The time offset between reference images in the position ids: image k gets T = 10 + 10 k (`_prepare_image_ids`, `scale=10`). */
export const REFERENCE_TIME_SCALE = 10;

/** The reference images of a call as tokens the transformer reads after the noisy ones. */
export interface ReferenceTokens {
  /** [count, channels]: image 0's tokens, then image 1's, ... */
  readonly tokens: Float32Array;
  /** Position ids [count, 4]: (10 + 10 k, i, j, 0) for token (i, j) of image k, row-major. */
  readonly ids: Float32Array;
  readonly count: number;
  readonly channels: number;
  /** Token grid of each image. */
  readonly grids: readonly { readonly rows: number; readonly cols: number }[];
}

/**
 * Packs encoded reference images as `Flux2KleinPipeline.prepare_image_latents` does
 * (`pipeline_flux2_klein.py`, lines 513-545): each image's packed tokens concatenated along the
 * sequence, and position ids from `_prepare_image_ids` (lines 319-366), T = 10 + 10 k for image k.
 */
export function referenceTokens(images: readonly EncodedImage[]): ReferenceTokens {
  const channels = images[0]?.channels ?? 0;
  const count = images.reduce((n, image) => n + image.rows * image.cols, 0);
  const tokens = new Float32Array(count * channels);
  const ids = new Float32Array(count * 4);
  let at = 0;
  for (const [k, image] of images.entries()) {
    tokens.set(image.tokens, at * channels);
    for (let i = 0; i < image.rows; i++) {
      for (let j = 0; j < image.cols; j++) {
        const row = (at + i * image.cols + j) * 4;
        ids[row] = REFERENCE_TIME_SCALE + REFERENCE_TIME_SCALE * k;
        ids[row + 1] = i;
        ids[row + 2] = j;
      }
    }
    at += image.rows * image.cols;
  }
  return { tokens, ids, count, channels, grids: images.map((i) => ({ rows: i.rows, cols: i.cols })) };
}

/**
 * The transformer's image tokens and ids with references (pipeline lines 844-846): per sample
 * `cat([noisy, references])`, and `cat([noisy_ids, reference_ids])`.
 */
export function withReferences(noisy: Float32Array, noisyIds: Float32Array, batch: number, references: ReferenceTokens | null): { hidden: Float32Array; ids: Float32Array; tokens: number } {
  const noisyTokens = noisyIds.length / 4;
  if (references === null || references.count === 0) return { hidden: noisy, ids: noisyIds, tokens: noisyTokens };
  const channels = references.channels;
  const per = (noisyTokens + references.count) * channels;
  const hidden = new Float32Array(batch * per);
  for (let b = 0; b < batch; b++) {
    hidden.set(noisy.subarray(b * noisyTokens * channels, (b + 1) * noisyTokens * channels), b * per);
    hidden.set(references.tokens, b * per + noisyTokens * channels);
  }
  const ids = new Float32Array((noisyTokens + references.count) * 4);
  ids.set(noisyIds);
  ids.set(references.ids, noisyIds.length);
  return { hidden, ids, tokens: noisyTokens + references.count };
}
