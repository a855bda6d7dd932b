import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import sharp from 'sharp';
import { errorReason, PIXELS_PER_TOKEN } from '@moral-plantain/formats';
import type { ImageError } from './image-error.js';
import type { RgbImage } from './rgb-image.js';

/** Limits on a reference image, from `Flux2ImageProcessor.check_image_input` (`pipelines/flux2/image_processor.py`, lines 68-105). */
export const REFERENCE_IMAGE_LIMITS = { minSide: 64, maxAspectRatio: 8, maxArea: 1024 * 1024 } as const;

/**
 * A reference image as `Flux2KleinPipeline.__call__` prepares one (`pipeline_flux2_klein.py`,
 * lines 765-780): refused when a side is under 64 pixels or the aspect ratio is over 8; resized
 * to an area of 1024 x 1024 when larger (Lanczos, `_resize_to_target_area`: each side
 * `int(side * sqrt(target / area))`); then each side floored to a multiple of 16 by a centre
 * crop (`Flux2ImageProcessor._resize_and_crop`, lines 125-153). `source` names it in errors.
 * sharp's Lanczos-3 stands in for PIL's, so a resized image can differ from diffusers' by a level.
 */
export function prepareReferenceImage(image: RgbImage, source: string): TE.TaskEither<ImageError, RgbImage> {
  return async () => {
    const { width, height } = image;
    const limits = REFERENCE_IMAGE_LIMITS;
    if (width < limits.minSide || height < limits.minSide) return E.left({ _tag: 'ImageTooSmall', path: source, width, height, minSide: limits.minSide });
    if (Math.max(width / height, height / width) > limits.maxAspectRatio) return E.left({ _tag: 'ImageAspectRatio', path: source, width, height, maxRatio: limits.maxAspectRatio });
    let resized = image;
    if (width * height > limits.maxArea) {
      const scale = Math.sqrt(limits.maxArea / (width * height));
      try {
        resized = await resize(image, Math.trunc(width * scale), Math.trunc(height * scale));
      } catch (error) {
        return E.left({ _tag: 'ImageUnreadable', path: source, reason: errorReason(error) });
      }
    }
    const targetWidth = Math.floor(resized.width / PIXELS_PER_TOKEN) * PIXELS_PER_TOKEN;
    const targetHeight = Math.floor(resized.height / PIXELS_PER_TOKEN) * PIXELS_PER_TOKEN;
    return E.right(centreCrop(resized, targetWidth, targetHeight));
  };
}

/** The centre `width` x `height` of an image: left = (w - width) // 2, top = (h - height) // 2, as PIL's crop box. */
export function centreCrop(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  const left = Math.floor((image.width - width) / 2);
  const top = Math.floor((image.height - height) / 2);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(((top + y) * image.width + left) * 3, ((top + y) * image.width + left + width) * 3), y * width * 3);
  return { width, height, data };
}

async function resize(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
