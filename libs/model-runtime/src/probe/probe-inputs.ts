import * as E from 'fp-ts/lib/Either.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { PIXELS_PER_TOKEN, toFloat16Bits } from '@moral-plantain/formats';

/** The latent token grid of an image resolution in pixels (each side a multiple of `PIXELS_PER_TOKEN`). */
export function latentGrid(height: number, width: number): { readonly rows: number; readonly cols: number } {
  return { rows: height / PIXELS_PER_TOKEN, cols: width / PIXELS_PER_TOKEN };
}

/** Image position ids [rows * cols, 4]: (t = 0, h, w, l = 0), row-major over the latent grid. */
export function imageIds(rows: number, cols: number): Float32Array {
  const ids = new Float32Array(rows * cols * 4);
  for (let h = 0; h < rows; h++) {
    for (let w = 0; w < cols; w++) {
      const i = (h * cols + w) * 4;
      ids[i + 1] = h;
      ids[i + 2] = w;
    }
  }
  return ids;
}

/** Text position ids [tokens, 4]: (0, 0, 0, l) for l = 0 .. tokens - 1. */
export function textIds(tokens: number): Float32Array {
  const ids = new Float32Array(tokens * 4);
  for (let l = 0; l < tokens; l++) ids[l * 4 + 3] = l;
  return ids;
}

/** Element types a probe feeds its models in (ONNX Runtime's names). */
export type FeedType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32';

/** Makes an ONNX Runtime tensor of the given element type from float32 values (float16 is rounded to nearest even; integers must be exact). */
export function feedTensor(type: string, values: Float32Array | Int32Array, dims: readonly number[]): E.Either<string, ort.Tensor> {
  switch (type) {
    case 'float32':
      return E.right(new ort.Tensor('float32', values instanceof Float32Array ? values : Float32Array.from(values), dims));
    case 'float16':
      return E.right(new ort.Tensor('float16', toFloat16Bits(values instanceof Float32Array ? values : Float32Array.from(values)), dims));
    case 'float64':
      return E.right(new ort.Tensor('float64', Float64Array.from(values), dims));
    case 'int64':
      return E.right(new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(Math.round(v))), dims));
    case 'int32':
      return E.right(new ort.Tensor('int32', Int32Array.from(values, (v) => Math.round(v)), dims));
    default:
      return E.left(`element type ${type} cannot be fed (expected float32, float16, float64, int64 or int32)`);
  }
}

/** Repeats a block `times` times (a batch of identical samples). */
export function repeat(block: Float32Array, times: number): Float32Array {
  const out = new Float32Array(block.length * times);
  for (let i = 0; i < times; i++) out.set(block, i * block.length);
  return out;
}

/** The sigma of the probe's single step (FLUX.2's first step; the model multiplies by 1000). */
export const PROBE_TIMESTEP = 1.0;
