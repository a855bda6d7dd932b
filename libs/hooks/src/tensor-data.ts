import { DataType } from './data-type.js';

/** A dense tensor value for an initializer or constant: element type, dims and little-endian raw bytes. */
export interface TensorData {
  readonly dataType: number;
  readonly dims: readonly number[];
  /** Little-endian element bytes (a view; never copied into JavaScript numbers). */
  readonly raw: Uint8Array;
}

/** A float32 tensor viewing `data` (no copy). `dims` default to `[data.length]`. */
export function float32Tensor(data: Float32Array, dims: readonly number[] = [data.length]): TensorData {
  return { dataType: DataType.FLOAT, dims, raw: bytesOf(data) };
}

/** A float16 tensor from IEEE half-precision bit patterns (no copy). */
export function float16Tensor(bits: Uint16Array, dims: readonly number[] = [bits.length]): TensorData {
  return { dataType: DataType.FLOAT16, dims, raw: bytesOf(bits) };
}

/** A bfloat16 tensor from bfloat16 bit patterns (no copy). */
export function bfloat16Tensor(bits: Uint16Array, dims: readonly number[] = [bits.length]): TensorData {
  return { dataType: DataType.BFLOAT16, dims, raw: bytesOf(bits) };
}

/** An int64 tensor (shape vectors, axes, indices). */
export function int64Tensor(values: BigInt64Array | readonly number[], dims: readonly number[] = [values.length]): TensorData {
  const data = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
  return { dataType: DataType.INT64, dims, raw: bytesOf(data) };
}

/** An int32 tensor. */
export function int32Tensor(values: Int32Array, dims: readonly number[] = [values.length]): TensorData {
  return { dataType: DataType.INT32, dims, raw: bytesOf(values) };
}

/** A tensor of any element type from its raw bytes (uint8 packed 4-bit weights, float8, ...). */
export function rawTensor(dataType: number, dims: readonly number[], raw: Uint8Array): TensorData {
  return { dataType, dims, raw };
}

/** Converts float32 values to IEEE float16 bit patterns (round to nearest even). */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i] as number;
    out[i] = halfFromBits(u32[0] as number);
  }
  return out;
}

/** Converts IEEE float16 bit patterns to float32 values. */
export function fromFloat16Bits(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    out[i] =
      exponent === 0
        ? sign * mantissa * 2 ** -24
        : exponent === 31
          ? mantissa
            ? Number.NaN
            : sign * Number.POSITIVE_INFINITY
          : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

function halfFromBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let value = mantissa >>> shift;
    if (rest > half || (rest === half && value & 1)) value++;
    return sign | value;
  }
  let value = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && value & 1)) value++;
  return sign | value;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
