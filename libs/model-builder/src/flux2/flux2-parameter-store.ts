import { attr, DataType, type GraphBuilder } from '@moral-plantain/hooks';
import { createParameterStore, type ReadParameter } from '../graph-weights/parameter-store.js';
import type { ParameterSink } from '../graph-weights/parameter-sink.js';
import { weightDataType, type WeightDtype } from '../graph-weights/weight-dtype.js';
import type { WeightError, WeightInit, WeightSource } from '../weights/weight-source.js';

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
  readonly names: readonly ReadParameter[];
  /** Every weight problem met so far (a missing or wrongly shaped tensor does not stop the build). */
  readonly problems: readonly WeightError[];
}

/** A FLUX.2 store reading from `weights`, converting to `dtype` and handing the bytes to `sink`. */
export function createFlux2ParameterStore(weights: WeightSource, sink: ParameterSink, dtype: WeightDtype): Flux2ParameterStore {
  const store = createParameterStore(weights, sink, dtype);
  return {
    names: store.names,
    problems: store.problems,
    linear: (scope, outFeatures, inFeatures) =>
      store.tensor(scope, `${scope.modulePath}.weight`, [outFeatures, inFeatures], { kind: 'linear', fanIn: inFeatures }, { transpose: true }),
    vector: (scope, name, size, init) => store.tensor(scope, `${scope.modulePath}.${name}`, [size], init),
  };
}

/**
 * A store that reads no weights: every parameter becomes an empty external reference to
 * `location`. The graph has the full structure (names, shapes, nodes) at no memory cost.
 */
export function skeletonParameterStore(location: string, dtype: WeightDtype): Flux2ParameterStore {
  const names: ReadParameter[] = [];
  const dataType = weightDataType(dtype);
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
