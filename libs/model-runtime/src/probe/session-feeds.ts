import * as E from 'fp-ts/lib/Either.js';
import type * as ort from '@moral-plantain/onnxruntime-node';
import { fromFloat16Bits } from '@moral-plantain/formats';
import type { ModelSession } from '../session/create-session.js';
import { badIo, type ProbeError } from './probe-error.js';
import { feedTensor } from './probe-inputs.js';

/** Rank of a graph input as the session declares it (2 when unknown). */
export function rankOf(session: ModelSession, name: string): number {
  return session.inputs.find((i) => i.name === name)?.shape.length ?? 2;
}

/** A feed for input `name` in the dtype the session expects (float16 and int64 included). */
export function tensorFor(session: ModelSession, name: string, values: Float32Array | Int32Array, dims: readonly number[]): E.Either<ProbeError, ort.Tensor> {
  const spec = session.inputs.find((i) => i.name === name);
  if (!spec) return E.left(badIo(session.source, `the graph has no input ${name}`));
  return E.mapLeft((reason: string) => badIo(session.source, `input ${name}: ${reason}`))(feedTensor(spec.type, values, dims));
}

/** An output tensor's values as float32 (float32, float16 or float64 outputs). */
export function toFloat32(tensor: ort.Tensor, model: string): E.Either<ProbeError, Float32Array> {
  if (tensor.type === 'float32') return E.right(tensor.data as Float32Array);
  if (tensor.type === 'float16') return E.right(fromFloat16Bits(tensor.data as Uint16Array));
  if (tensor.type === 'float64') return E.right(Float32Array.from(tensor.data as Float64Array));
  return E.left(badIo(model, `output is ${tensor.type}, expected float32, float16 or float64`));
}
