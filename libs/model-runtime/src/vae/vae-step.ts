import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { PIXELS_PER_TOKEN } from '@moral-plantain/formats';
import { imageToPixels, pixelsToImage, type RgbImage } from '../image/rgb-image.js';
import { runSession, type ModelSession } from '../session/create-session.js';
import type { SessionError } from '../session/session-error.js';
import { packLatents, unpackLatents } from './latent-packing.js';

/** Graph names of the VAE graphs `model build` writes. */
export const VAE_IO = { image: 'image', latents: 'latents' } as const;

/** One image encoded for the transformer: its tokens [rows x cols, channels] and its token grid. */
export interface EncodedImage {
  readonly tokens: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly channels: number;
}

/**
 * Encodes an RGB image (sides multiples of 16) with the VAE encoder graph: pixels in [-1, 1], the
 * encoder's patchified, normalised latents, packed into tokens (`_encode_vae_image` then `_pack_latents`).
 */
export function encodeImage(encoder: ModelSession, image: RgbImage): TE.TaskEither<SessionError, EncodedImage> {
  return async () => {
    const feed = new ort.Tensor('float32', imageToPixels(image), [1, 3, image.height, image.width]);
    const out = await runSession(encoder, { [VAE_IO.image]: feed }, [VAE_IO.latents])();
    if (E.isLeft(out)) return out;
    const latents = out.right[VAE_IO.latents]!;
    const [, channels, rows, cols] = latents.dims as [number, number, number, number];
    if (latents.dims.length !== 4 || rows !== image.height / PIXELS_PER_TOKEN || cols !== image.width / PIXELS_PER_TOKEN) {
      return E.left({ _tag: 'RunFailed', model: encoder.source, reason: `output ${VAE_IO.latents} has shape [${latents.dims.join(', ')}], expected [1, C, ${image.height / PIXELS_PER_TOKEN}, ${image.width / PIXELS_PER_TOKEN}]` });
    }
    return E.right({ tokens: packLatents(latents.data as Float32Array, channels, rows, cols), rows, cols, channels });
  };
}

/** Decodes noisy-grid tokens [rows x cols, channels] with the VAE decoder graph to an RGB image of 16 x rows by 16 x cols pixels. */
export function decodeTokens(decoder: ModelSession, tokens: Float32Array, rows: number, cols: number, channels: number): TE.TaskEither<SessionError, RgbImage> {
  return async () => {
    const feed = new ort.Tensor('float32', unpackLatents(tokens, channels, rows, cols), [1, channels, rows, cols]);
    const out = await runSession(decoder, { [VAE_IO.latents]: feed }, [VAE_IO.image])();
    if (E.isLeft(out)) return out;
    const image = out.right[VAE_IO.image]!;
    const [, , height, width] = image.dims as [number, number, number, number];
    if (image.dims.length !== 4 || image.dims[1] !== 3) return E.left({ _tag: 'RunFailed', model: decoder.source, reason: `output ${VAE_IO.image} has shape [${image.dims.join(', ')}], expected [1, 3, H, W]` });
    return E.right(pixelsToImage(image.data as Float32Array, width, height));
  };
}
