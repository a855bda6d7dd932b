import * as E from 'fp-ts/lib/Either.js';
import { attr, DataType, type GraphBuilder } from '@moral-plantain/hooks';
import type { WeightError, WeightInit, WeightSource } from '../weights/weight-source.js';
import type { ParameterSink } from './parameter-sink.js';
import { storedTensor, type WeightDtype } from './weight-dtype.js';

/** A parameter read so far: its name and torch shape. */
export interface ReadParameter {
  readonly name: string;
  readonly shape: readonly number[];
}

/** How `ParameterStore.tensor` stores a parameter. */
export interface StoreTensorOptions {
  /** Store a 2-D [out, in] weight transposed as [in, out] (ready for MatMul). Default false: torch layout. */
  readonly transpose?: boolean;
}

/**
 * Where a graph builder gets its parameters: each call reads one parameter from a weight source
 * just before it is stored, hands its bytes to a sink and drops it, so at most one parameter is
 * held at a time. Problems are collected, not thrown, so one build reports them all.
 */
export interface ParameterStore {
  /**
   * Reads `name` with torch shape `shape`, stores it as initializer `name` and returns the value
   * the graph computes with: the initializer itself in float32, a Cast to float32 of it in float16.
   */
  tensor(scope: GraphBuilder, name: string, shape: readonly number[], init: WeightInit, options?: StoreTensorOptions): Promise<string>;
  /** The parameters read so far, in read order, with their torch shapes. */
  readonly names: readonly ReadParameter[];
  /** Every weight problem met so far (a missing or wrongly shaped tensor stores an empty placeholder and the build goes on). */
  readonly problems: readonly WeightError[];
}

/** A store reading from `weights`, converting to `dtype` and handing the bytes to `sink`. */
export function createParameterStore(weights: WeightSource, sink: ParameterSink, dtype: WeightDtype): ParameterStore {
  const names: ReadParameter[] = [];
  const problems: WeightError[] = [];
  return {
    names,
    problems,
    async tensor(scope, name, shape, init, options = {}) {
      const transpose = options.transpose === true && shape.length === 2;
      names.push({ name, shape });
      const read = await weights.read(name, shape, init);
      const count = shape.reduce((p, s) => p * s, 1);
      let values: Float32Array;
      if (E.isLeft(read)) {
        problems.push(read.left);
        values = new Float32Array(0);
      } else if (read.right.length !== count) {
        problems.push({ _tag: 'WrongShape', name, expected: shape, actual: [read.right.length] });
        values = new Float32Array(0);
      } else {
        values = transpose ? transposed(read.right, shape[0] as number, shape[1] as number) : read.right;
      }
      const dims = transpose ? [shape[1] as number, shape[0] as number] : shape;
      const tensor = storedTensor(values, dims, dtype);
      await sink.add(scope, name, tensor.dataType, dims, tensor.raw);
      return dtype === 'float16' ? scope.op('Cast', [name], { to: attr.int(DataType.FLOAT) }) : name;
    },
  };
}

function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  // Blocked so both sides stay in cache for the 3072 x 9216 matrices of the real FLUX.2 model.
  const block = 64;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(r0 + block, rows);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(c0 + block, cols);
      for (let r = r0; r < r1; r++) {
        const rowBase = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = values[rowBase + c] as number;
      }
    }
  }
  return out;
}
