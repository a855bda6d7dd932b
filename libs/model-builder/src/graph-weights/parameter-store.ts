import * as E from 'fp-ts/lib/Either.js';
import { attr, DataType, type GraphBuilder } from '@moral-plantain/hooks';
import { quantizeBlockwise } from '../quantization/block-quantize.js';
import { quantizedWeightNames, type QuantizedWeight } from '../quantization/matmul-nbits.js';
import type { QuantizationOptions } from '../quantization/quantization-options.js';
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
  /**
   * Reads the Linear weight `name` with torch shape [out, in], quantizes it block-wise and stores
   * it as MatMulNBits's initializers (`<name>_Q<bits>`, `<name>_scales`, and `<name>_zero_points`
   * when asymmetric, named as ONNX Runtime's quantizer names them). The float weight is dropped.
   */
  quantized(scope: GraphBuilder, name: string, shape: readonly [number, number], init: WeightInit, options: QuantizationOptions): Promise<QuantizedWeight>;
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
      const raw = await read(name, shape, init);
      const values = transpose && raw.length > 0 ? transposed(raw, shape[0] as number, shape[1] as number) : raw;
      const dims = transpose ? [shape[1] as number, shape[0] as number] : shape;
      const tensor = storedTensor(values, dims, dtype);
      await sink.add(scope, name, tensor.dataType, dims, tensor.raw);
      return dtype === 'float16' ? scope.op('Cast', [name], { to: attr.int(DataType.FLOAT) }) : name;
    },
    async quantized(scope, name, shape, init, options) {
      const [n, k] = shape;
      const values = await read(name, shape, init);
      // A weight that could not be read still gets initializers of the right shapes (zeros), so the build goes on and reports every problem.
      const q = quantizeBlockwise(values.length === n * k ? values : new Float32Array(n * k), n, k, options);
      const names = quantizedWeightNames(name, options);
      await sink.add(scope, names.data, DataType.UINT8, [n, q.blocksPerRow, q.blobSize], q.data);
      await sink.add(scope, names.scales, DataType.FLOAT, [q.scales.length], new Uint8Array(q.scales.buffer));
      if (names.zeroPoints !== null && q.zeroPoints) await sink.add(scope, names.zeroPoints, DataType.UINT8, [q.zeroPoints.length], q.zeroPoints);
      return { ...names, n, k, options };
    },
  };

  /** Reads one parameter, recording it and any problem; an unreadable one comes back empty. */
  async function read(name: string, shape: readonly number[], init: WeightInit): Promise<Float32Array> {
    names.push({ name, shape });
    const result = await weights.read(name, shape, init);
    const count = shape.reduce((p, s) => p * s, 1);
    if (E.isLeft(result)) {
      problems.push(result.left);
      return new Float32Array(0);
    }
    if (result.right.length !== count) {
      problems.push({ _tag: 'WrongShape', name, expected: shape, actual: [result.right.length] });
      return new Float32Array(0);
    }
    return result.right;
  }
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
