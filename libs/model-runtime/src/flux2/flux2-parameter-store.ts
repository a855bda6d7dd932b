import * as E from 'fp-ts/lib/Either.js';
import { DataType, float16Tensor, float32Tensor, toFloat16Bits, attr, type GraphBuilder } from '@moral-plantain/hooks';
import type { FileHandle } from 'node:fs/promises';
import type { WeightError, WeightInit, WeightSource } from '../weights/weight-source.js';

/** Storage element type of the weights in a built graph (compute is float32 either way). */
export type Flux2WeightDtype = 'float32' | 'float16';

/**
 * Where the graph builder gets its parameters: each call reads one parameter from a weight source
 * (torch layout) and stores it in the graph, returning the value the graph computes with (float32).
 */
export interface Flux2ParameterStore {
  /** A Linear weight read as [out, in] and stored transposed as [in, out] under `<scope>.weight`, ready for MatMul. */
  linear(scope: GraphBuilder, outFeatures: number, inFeatures: number): Promise<string>;
  /** A vector parameter (a norm's weight) `<scope>.<name>` of `size` values. */
  vector(scope: GraphBuilder, name: string, size: number, init: WeightInit): Promise<string>;
  /** The parameters read so far, in read order, with their torch shapes. */
  readonly names: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** Every weight problem met so far (a missing or wrongly shaped tensor does not stop the build). */
  readonly problems: readonly WeightError[];
}

/** Where a store puts the bytes of each parameter. */
export interface ParameterSink {
  /** Adds initializer `name` with `dims` holding `raw`; may write the bytes elsewhere (external data). */
  add(builder: GraphBuilder, name: string, dataType: number, dims: readonly number[], raw: Uint8Array): Promise<void>;
}

/** A store reading from `weights`, converting to `dtype` and handing the bytes to `sink`. */
export function createParameterStore(weights: WeightSource, sink: ParameterSink, dtype: Flux2WeightDtype): Flux2ParameterStore {
  const names: { name: string; shape: readonly number[] }[] = [];
  const problems: WeightError[] = [];
  const store = async (scope: GraphBuilder, name: string, torchShape: readonly number[], storedDims: readonly number[], init: WeightInit, transpose: boolean): Promise<string> => {
    names.push({ name, shape: torchShape });
    const read = await weights.read(name, torchShape, init);
    const count = torchShape.reduce((p, s) => p * s, 1);
    let values: Float32Array;
    if (E.isLeft(read)) {
      problems.push(read.left);
      values = new Float32Array(0);
    } else if (read.right.length !== count) {
      problems.push({ _tag: 'WrongShape', name, expected: torchShape, actual: [read.right.length] });
      values = new Float32Array(0);
    } else {
      values = transpose ? transposed(read.right, torchShape[0] as number, torchShape[1] as number) : read.right;
    }
    const tensor = dtype === 'float16' ? float16Tensor(toFloat16Bits(values), storedDims) : float32Tensor(values, storedDims);
    await sink.add(scope, name, tensor.dataType, storedDims, tensor.raw);
    return dtype === 'float16' ? scope.op('Cast', [name], { to: attr.int(DataType.FLOAT) }) : name;
  };
  return {
    names,
    problems,
    linear: (scope, outFeatures, inFeatures) =>
      store(scope, `${scope.modulePath}.weight`, [outFeatures, inFeatures], [inFeatures, outFeatures], { kind: 'linear', fanIn: inFeatures }, true),
    vector: (scope, name, size, init) => store(scope, `${scope.modulePath}.${name}`, [size], [size], init, false),
  };
}

/** A sink keeping every parameter's bytes inside the graph (small models). */
export function inlineSink(): ParameterSink {
  return {
    add: async (builder, name, dataType, dims, raw) => void builder.initializer(name, { dataType, dims, raw }),
  };
}

/** A sink writing each parameter's bytes into an open data file as it comes (page-aligned), leaving only a reference in the graph. */
export function externalDataSink(handle: FileHandle, location: string, alignment = 4096): ParameterSink & { readonly bytes: () => number } {
  let end = 0;
  return {
    bytes: () => end,
    add: async (builder, name, dataType, dims, raw) => {
      const offset = Math.ceil(end / alignment) * alignment;
      if (raw.byteLength > 0) await handle.write(raw, 0, raw.byteLength, offset);
      end = offset + raw.byteLength;
      builder.externalInitializer(name, dataType, dims, { location, offset, length: raw.byteLength });
    },
  };
}

/**
 * A store that reads no weights: every parameter becomes an empty external reference to
 * `location`. The graph has the full structure (names, shapes, nodes) at no memory cost.
 */
export function skeletonParameterStore(location: string, dtype: Flux2WeightDtype): Flux2ParameterStore {
  const names: { name: string; shape: readonly number[] }[] = [];
  const dataType = dtype === 'float16' ? DataType.FLOAT16 : DataType.FLOAT;
  const add = (scope: GraphBuilder, name: string, torchShape: readonly number[], dims: readonly number[]): string => {
    names.push({ name, shape: torchShape });
    scope.externalInitializer(name, dataType, dims, { location, offset: 0, length: 0 });
    return dtype === 'float16' ? scope.op('Cast', [name], { to: attr.int(DataType.FLOAT) }) : name;
  };
  return {
    names,
    problems: [],
    linear: async (scope, outFeatures, inFeatures) => add(scope, `${scope.modulePath}.weight`, [outFeatures, inFeatures], [inFeatures, outFeatures]),
    vector: async (scope, name, size) => add(scope, `${scope.modulePath}.${name}`, [size], [size]),
  };
}

function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  // Blocked so both sides stay in cache for the 3072 x 9216 matrices of the real model.
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
