import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import sharp from 'sharp';
import { errorReason, writeFileAtomic } from '@moral-plantain/formats';
import type { ImageError } from './image-error.js';
import type { RgbImage } from './rgb-image.js';

/**
 * Reads an image file (PNG, JPEG, WebP, TIFF, GIF; the first frame) as 8-bit RGB with the sharp
 * library: converted to sRGB, an alpha channel dropped as PIL's `convert("RGB")` drops it.
 */
export function readImageFile(file: string): TE.TaskEither<ImageError, RgbImage> {
  return async () => {
    try {
      const { data, info } = await sharp(file).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) return E.left({ _tag: 'ImageUnreadable', path: file, reason: `it decodes to ${info.channels} channels, not RGB` });
      return E.right({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    } catch (error) {
      return E.left({ _tag: 'ImageUnreadable', path: file, reason: (error as NodeJS.ErrnoException).code ?? errorReason(error) });
    }
  };
}

/** Encodes an RGB image as PNG bytes (sharp / libpng, lossless, the same bytes for the same pixels). */
export async function encodePng(image: RgbImage): Promise<Uint8Array> {
  const buffer = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Writes an RGB image as a PNG file atomically (temporary file, flush, rename): a kill leaves the old file or the new one, never a half-written PNG. */
export function writePngFile(file: string, image: RgbImage): TE.TaskEither<ImageError, Uint8Array> {
  return async () => {
    try {
      const bytes = await encodePng(image);
      await writeFileAtomic(file, bytes);
      return E.right(bytes);
    } catch (error) {
      return E.left({ _tag: 'ImageWriteFailed', path: file, reason: errorReason(error) });
    }
  };
}
