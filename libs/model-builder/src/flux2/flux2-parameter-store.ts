import { attr, DataType, type GraphBuilder } from '@moral-plantain/hooks';
import { createParameterStore, type ReadParameter } from '../graph-weights/parameter-store.js';
import type { ParameterSink } from '../graph-weights/parameter-sink.js';
import { weightDataType, type WeightDtype } from '../graph-weights/weight-dtype.js';
import { matMulNBits, quantizedWeightNames, type QuantizedWeight } from '../quantization/matmul-nbits.js';
import type { QuantizationOptions } from '../quantization/quantization-options.js';
import { emptyLinearTally, type LinearTally } from '../quantization/quantization-record.js';
import type { WeightError, WeightInit, WeightSource } from '../weights/weight-source.js';
import { isFlux2QuantizedLinear } from './flux2-parameters.js';

/**
 * Where the graph builder gets its parameters: each call reads one parameter from a weight source
 * (torch layout) and stores it in the graph, returning the value the graph computes with (float32).
 */
export interface Flux2ParameterStore {
  /**
   * The bias-free Linear `<scope>.weight` ([out, in]) applied to `x`: a MatMul with the weight stored
   * transposed as [in, out], or, when the store quantizes this layer, a MatMulNBits. Returns the
   * output value, or writes it to `output`.
   */
  linear(scope: GraphBuilder, x: string, outFeatures: number, inFeatures: number, output?: string): Promise<string>;
  /** A vector parameter (a norm's weight) `<scope>.<name>` of `size` values. */
  vector(scope: GraphBuilder, name: string, size: number, init: WeightInit): Promise<string>;
  /** The parameters read so far, in read order, with their torch shapes. */
  readonly names: readonly ReadParameter[];
  /** Every weight problem met so far (a missing or wrongly shaped tensor does not stop the build). */
  readonly problems: readonly WeightError[];
  /** The linear layers laid out so far, quantized and kept in float. */
  readonly linears: LinearTally;
}

/**
 * A FLUX.2 store reading from `weights`, converting to `dtype` and handing the bytes to `sink`. With
 * `quantization`, the linear layers inside the transformer blocks are quantized (`isFlux2QuantizedLinear`).
 */
export function createFlux2ParameterStore(weights: WeightSource, sink: ParameterSink, dtype: WeightDtype, quantization?: QuantizationOptions): Flux2ParameterStore {
  const store = createParameterStore(weights, sink, dtype);
  const linears = emptyLinearTally();
  return {
    names: store.names,
    problems: store.problems,
    linears,
    async linear(scope, x, outFeatures, inFeatures, output) {
      const name = `${scope.modulePath}.weight`;
      const init: WeightInit = { kind: 'linear', fanIn: inFeatures };
      if (quantization && isFlux2QuantizedLinear(scope.modulePath)) {
        linears.quantized.push(scope.modulePath);
        return matMulNBits(scope, x, await store.quantized(scope, name, [outFeatures, inFeatures], init, quantization), output);
      }
      linears.float.push(scope.modulePath);
      const weight = await store.tensor(scope, name, [outFeatures, inFeatures], init, { transpose: true });
      return scope.node('MatMul', [x, weight], { outputs: output === undefined ? 1 : [output] })[0] as string;
    },
    vector: (scope, name, size, init) => store.tensor(scope, `${scope.modulePath}.${name}`, [size], init),
  };
}

/**
 * A store that reads no weights: every parameter becomes an empty external reference to
 * `location`. The graph has the full structure (names, shapes, nodes, quantized layers) at no memory cost.
 */
export function skeletonParameterStore(location: string, dtype: WeightDtype, quantization?: QuantizationOptions): Flux2ParameterStore {
  const names: ReadParameter[] = [];
  const linears = emptyLinearTally();
  const dataType = weightDataType(dtype);
  const reference = (scope: GraphBuilder, name: string, type: number, dims: readonly number[]): string =>
    scope.externalInitializer(name, type, dims, { location, offset: 0, length: 0 });
  const add = (scope: GraphBuilder, name: string, torchShape: readonly number[], dims: readonly number[]): string => {
    names.push({ name, shape: torchShape });
    reference(scope, name, dataType, dims);
    return dtype === 'float16' ? scope.op('Cast', [name], { to: attr.int(DataType.FLOAT) }) : name;
  };
  return {
    names,
    problems: [],
    linears,
    async linear(scope, x, outFeatures, inFeatures, output) {
      const name = `${scope.modulePath}.weight`;
      if (quantization && isFlux2QuantizedLinear(scope.modulePath)) {
        names.push({ name, shape: [outFeatures, inFeatures] });
        linears.quantized.push(scope.modulePath);
        const blocks = Math.ceil(inFeatures / quantization.blockSize);
        const weight: QuantizedWeight = { ...quantizedWeightNames(name, quantization), n: outFeatures, k: inFeatures, options: quantization };
        reference(scope, weight.data, DataType.UINT8, [outFeatures, blocks, (quantization.blockSize * quantization.bits) / 8]);
        reference(scope, weight.scales, DataType.FLOAT, [outFeatures * blocks]);
        if (weight.zeroPoints !== null) reference(scope, weight.zeroPoints, DataType.UINT8, [outFeatures * Math.ceil((blocks * quantization.bits) / 8)]);
        return matMulNBits(scope, x, weight, output);
      }
      linears.float.push(scope.modulePath);
      const weight = add(scope, name, [outFeatures, inFeatures], [inFeatures, outFeatures]);
      return scope.node('MatMul', [x, weight], { outputs: output === undefined ? 1 : [output] })[0] as string;
    },
    vector: async (scope, name, size) => add(scope, `${scope.modulePath}.${name}`, [size], [size]),
  };
}
