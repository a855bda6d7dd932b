import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';

/** Why an image could not be read, used or written. */
export type ImageError =
  | { readonly _tag: 'ImageUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'ImageTooSmall'; readonly path: string; readonly width: number; readonly height: number; readonly minSide: number }
  | { readonly _tag: 'ImageAspectRatio'; readonly path: string; readonly width: number; readonly height: number; readonly maxRatio: number }
  | { readonly _tag: 'ImageWriteFailed'; readonly path: string; readonly reason: string };

/** What is wrong with an image, and what to do. */
export function describeImageError(error: ImageError): ErrorDescription {
  switch (error._tag) {
    case 'ImageUnreadable':
      return /^E[A-Z]+$/.test(error.reason)
        ? describeFileProblem('read the image', error.path, error.reason, 'Give a PNG, JPEG, WebP, TIFF or GIF file.')
        : { message: `${error.path} is not an image this toolkit can read (${error.reason}).`, hint: 'Give a PNG, JPEG, WebP, TIFF or GIF file.' };
    case 'ImageTooSmall':
      return { message: `The image ${error.path} is ${error.width} x ${error.height} pixels; both sides must be at least ${error.minSide}.`, hint: 'Give a larger reference image.' };
    case 'ImageAspectRatio':
      return { message: `The image ${error.path} is ${error.width} x ${error.height} pixels, an aspect ratio over ${error.maxRatio}:1.`, hint: 'Crop it closer to square.' };
    case 'ImageWriteFailed':
      return describeFileProblem('write the image', error.path, error.reason);
  }
}
