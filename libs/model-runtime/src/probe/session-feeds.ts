import * as E from 'fp-ts/lib/Either.js';
import type * as ort from 'onnxruntime-node';
import { fromFloat16Bits } from '@moral-plantain/hooks';
import type { ModelSession } from '../session/create-session.js';
import { badIo } from './probe-failure.js';
import { feedTensor } from './probe-inputs.js';

/** Rank of a graph input as the session declares it (2 when unknown). */
export function rankOf(session: ModelSession, name: string): number {
  return session.inputs.find((i) => i.name === name)?.shape.length ?? 2;
}

/** A feed for input `name` in the dtype the session expects (float16 and int64 included). */
export function tensorFor(session: ModelSession, name: string, values: Float32Array | Int32Array, dims: readonly number[]): ort.Tensor {
  const spec = session.inputs.find((i) => i.name === name);
  if (!spec) throw badIo(session.source, `the graph has no input ${name}`);
  const tensor = feedTensor(spec.type, values, dims);
  if (E.isLeft(tensor)) throw badIo(session.source, `input ${name}: ${tensor.left}`);
  return tensor.right;
}

/** An output tensor's values as float32 (float32, float16 or float64 outputs). */
export function toFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return fromFloat16Bits(tensor.data as Uint16Array);
  if (tensor.type === 'float64') return Float32Array.from(tensor.data as Float64Array);
  throw badIo('text encoder', `output is ${tensor.type}, expected float32, float16 or float64`);
}
