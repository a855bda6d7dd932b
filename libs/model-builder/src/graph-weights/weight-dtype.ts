import { toFloat16Bits } from '@moral-plantain/formats';
import { DataType, float16Tensor, float32Tensor, type TensorData } from '@moral-plantain/hooks';

/** Storage element type of the weights in a built graph (compute is float32 either way). */
export type WeightDtype = 'float32' | 'float16';

/** The ONNX element type a weight dtype is stored as. */
export function weightDataType(dtype: WeightDtype): number {
  return dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT;
}

/** Bytes per stored value of a weight dtype. */
export function weightDtypeBytes(dtype: WeightDtype): number {
  return dtype === 'float16' ? 2 : 4;
}

/** Float32 values as a tensor of the storage dtype (float16 rounds to nearest even; float32 is a view, no copy). */
export function storedTensor(values: Float32Array, dims: readonly number[], dtype: WeightDtype): TensorData {
  return dtype === 'float16' ? float16Tensor(toFloat16Bits(values), dims) : float32Tensor(values, dims);
}
