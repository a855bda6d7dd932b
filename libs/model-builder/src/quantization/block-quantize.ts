import type { QuantizationOptions } from './quantization-options.js';

/** A weight quantized block-wise in MatMulNBits's layout. */
export interface BlockQuantized {
  /** Output features (rows of the torch weight). */
  readonly n: number;
  /** Input features (columns of the torch weight). */
  readonly k: number;
  /** Blocks per row: ceil(k / blockSize). */
  readonly blocksPerRow: number;
  /** Bytes per block: blockSize x bits / 8. */
  readonly blobSize: number;
  /** Packed codes [n, blocksPerRow, blobSize]; 4-bit codes two to a byte, the first in the low nibble. Padding past k holds the zero point. */
  readonly data: Uint8Array;
  /** One scale per block, [n x blocksPerRow], row-major. */
  readonly scales: Float32Array;
  /** Asymmetric only: zero points [n, ceil(blocksPerRow x bits / 8)], packed like the codes; null when symmetric. */
  readonly zeroPoints: Uint8Array | null;
}

/**
 * Quantizes a torch-layout weight [n, k] (one row per output feature) block-wise along k, in the
 * layout ONNX Runtime's MatMulNBits reads: code q in [0, 2^bits - 1] stands for (q - z) x scale with
 * z = 2^(bits - 1) when symmetric, or the block's own zero point.
 *
 * Every weight is rounded to its nearest level and none is clipped, so |w - (q - z) x scale| <=
 * |scale| / 2 in every block:
 * - asymmetric, as ONNX Runtime's quantizer: the range [min(lo, 0), max(hi, 0)] over 2^bits - 1
 *   steps, the zero point the rounded position of 0 (zero is exact);
 * - symmetric: the smallest |scale| that puts the block's extremes within half a step of the
 *   outermost levels -2^(bits-1) and 2^(bits-1) - 1, the sign of the scale sending the larger-magnitude
 *   extreme to the level that has one more step (ONNX Runtime's quantizer instead puts that extreme
 *   exactly on -2^(bits-1) and clips the other side by up to one step).
 * Scales are float32, rounded away from zero so the bound holds for the stored value.
 */
export function quantizeBlockwise(weight: Float32Array, n: number, k: number, options: QuantizationOptions): BlockQuantized {
  const { bits, blockSize, symmetric } = options;
  const blocksPerRow = Math.ceil(k / blockSize);
  const blobSize = (blockSize * bits) / 8;
  const maxCode = 2 ** bits - 1;
  const mid = 2 ** (bits - 1);
  const zeroPointBytes = Math.ceil((blocksPerRow * bits) / 8);
  const data = new Uint8Array(n * blocksPerRow * blobSize);
  const scales = new Float32Array(n * blocksPerRow);
  const zeroPoints = symmetric ? null : new Uint8Array(n * zeroPointBytes);
  const codes = new Uint8Array(blockSize);
  const awayFromZero = float32AwayFromZero();
  for (let row = 0; row < n; row++) {
    const rowStart = row * k;
    for (let block = 0; block < blocksPerRow; block++) {
      const start = rowStart + block * blockSize;
      const length = Math.min(blockSize, k - block * blockSize);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < length; i++) {
        const v = weight[start + i] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const [scale, zero] = symmetric ? symmetricScale(lo, hi, mid, awayFromZero) : asymmetricScale(lo, hi, maxCode, awayFromZero);
      const inverse = scale === 0 ? 0 : 1 / scale;
      for (let i = 0; i < length; i++) codes[i] = clamp(roundHalfAway((weight[start + i] as number) * inverse) + zero, maxCode);
      codes.fill(zero, length);
      pack(codes, bits, data, (row * blocksPerRow + block) * blobSize, blockSize);
      scales[row * blocksPerRow + block] = scale;
      if (zeroPoints) setCode(zeroPoints, row * zeroPointBytes, block, zero, bits);
    }
  }
  return { n, k, blocksPerRow, blobSize, data, scales, zeroPoints };
}

/** [scale, zero point] of a symmetric block: zero point 2^(bits-1), levels -mid .. mid - 1. */
function symmetricScale(lo: number, hi: number, mid: number, toFloat32: (x: number) => number): [number, number] {
  // A positive scale needs lo >= -(mid + 0.5) s and hi <= (mid - 0.5) s; a negative one the mirror image.
  const positive = Math.max(-lo / (mid + 0.5), hi / (mid - 0.5), 0);
  const negative = Math.max(hi / (mid + 0.5), -lo / (mid - 0.5), 0);
  const scale = negative < positive ? -negative : positive;
  return [toFloat32(scale), mid];
}

/** [scale, zero point] of an asymmetric block over [min(lo, 0), max(hi, 0)], as ONNX Runtime's quantizer. */
function asymmetricScale(lo: number, hi: number, maxCode: number, toFloat32: (x: number) => number): [number, number] {
  const min = Math.min(lo, 0);
  const max = Math.max(hi, 0);
  const scale = toFloat32((max - min) / maxCode);
  return [scale, scale === 0 ? 0 : clamp(roundHalfAway(-min / scale), maxCode)];
}

/** Packs `count` codes of `bits` bits into `out` from `offset`: 8-bit one per byte, 4-bit two per byte (low nibble first). */
function pack(codes: Uint8Array, bits: number, out: Uint8Array, offset: number, count: number): void {
  if (bits === 8) {
    out.set(codes.subarray(0, count), offset);
    return;
  }
  for (let i = 0; i < count; i += 2) out[offset + (i >> 1)] = ((codes[i] as number) & 0xf) | (((codes[i + 1] ?? 0) & 0xf) << 4);
}

/** Writes code `index` of a packed row starting at `offset`. */
function setCode(out: Uint8Array, offset: number, index: number, code: number, bits: number): void {
  if (bits === 8) {
    out[offset + index] = code;
    return;
  }
  const at = offset + (index >> 1);
  out[at] = index % 2 === 0 ? ((out[at] as number) & 0xf0) | code : ((out[at] as number) & 0x0f) | (code << 4);
}

/** Rounds half away from zero, as C's roundf (which ONNX Runtime's quantizer uses). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function clamp(code: number, maxCode: number): number {
  return code < 0 ? 0 : code > maxCode ? maxCode : code;
}

/** A function giving the float32 nearest `x` that is at least as far from zero as `x` (it owns a scratch buffer). */
function float32AwayFromZero(): (x: number) => number {
  const f32 = new Float32Array(1);
  const bits = new Int32Array(f32.buffer);
  return (x) => {
    f32[0] = x;
    // Adding one to the bit pattern of a non-zero float32 moves it one step away from zero.
    if (Math.abs(f32[0] as number) < Math.abs(x)) bits[0] = (bits[0] as number) + 1;
    return f32[0] as number;
  };
}

/** Bytes a weight [n, k] takes quantized with `options`: packed codes, float32 scales and any zero points. */
export function quantizedWeightBytes(n: number, k: number, options: QuantizationOptions): number {
  const blocks = Math.ceil(k / options.blockSize);
  const zeroPoints = options.symmetric ? 0 : n * Math.ceil((blocks * options.bits) / 8);
  return n * blocks * ((options.blockSize * options.bits) / 8) + n * blocks * 4 + zeroPoints;
}
