/** An 8-bit RGB image, rows top to bottom, pixels interleaved (r, g, b). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width x height x 3 bytes. */
  readonly data: Uint8Array;
}

/** Pixels in [-1, 1] as the VAE takes them, NCHW [1, 3, height, width]: `2 * (u8 / 255) - 1` in float32, as diffusers' `VaeImageProcessor` (`pil_to_numpy`, then `normalize`). */
export function imageToPixels(image: RgbImage): Float32Array {
  const { width, height, data } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = Math.fround(Math.fround(data[i * 3 + c]! / 255) * 2 - 1);
  }
  return out;
}

/**
 * The VAE's output pixels (one image of an NCHW [B, 3, height, width] float32 tensor) as 8-bit RGB,
 * as diffusers post-processes them (`image_processor.py`: `denormalize`, `(x * 0.5 + 0.5).clamp(0, 1)`,
 * then `numpy_to_pil`, `(x * 255).round()`, NumPy's round half to even).
 */
export function pixelsToImage(pixels: Float32Array, width: number, height: number, index = 0): RgbImage {
  const plane = width * height;
  const base = index * 3 * plane;
  const data = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const unit = Math.min(1, Math.max(0, Math.fround(Math.fround(pixels[base + c * plane + i]! * 0.5) + 0.5)));
      data[i * 3 + c] = roundHalfEven(Math.fround(unit * 255));
    }
  }
  return { width, height, data };
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
