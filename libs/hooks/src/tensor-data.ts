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

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
