import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { WeightQuantization } from '@moral-plantain/formats';
import type { ModelProto } from '@moral-plantain/hooks';
import { checkWeightsRead, type GraphBuildError } from '../graph-weights/graph-build-error.js';
import { INLINE_WEIGHT_LIMIT } from '../graph-weights/graph-file.js';
import { inlineSink } from '../graph-weights/parameter-sink.js';
import type { ReadParameter } from '../graph-weights/parameter-store.js';
import { weightDtypeBytes, type WeightDtype } from '../graph-weights/weight-dtype.js';
import { quantizedWeightBytes } from '../quantization/block-quantize.js';
import { quantizationProblems, type QuantizationOptions } from '../quantization/quantization-options.js';
import { quantizationRecord } from '../quantization/quantization-record.js';
import type { WeightSource } from '../weights/weight-source.js';
import { validateFlux2Config, type Flux2Config } from './flux2-config.js';
import { layoutFlux2Transformer } from './flux2-graph.js';
import { createFlux2ParameterStore, skeletonParameterStore, type Flux2ParameterStore } from './flux2-parameter-store.js';
import { flux2ParameterShapes, isFlux2QuantizedLinear } from './flux2-parameters.js';

/** Options of `buildFlux2Transformer`. */
export interface Flux2BuildOptions {
  /** Storage type of the weights (default `float32`); float16 weights are cast to float32 in the graph, compute is float32. */
  readonly dtype?: WeightDtype;
  /**
   * Quantize the linear layers inside the transformer blocks to MatMulNBits (`isFlux2QuantizedLinear`),
   * tensor by tensor as they are read (default: none, every weight in `dtype`).
   */
  readonly quantization?: QuantizationOptions;
}

/** A FLUX.2 transformer built in memory. */
export interface Flux2TransformerGraph {
  /** The ONNX model: `hidden_states`, `encoder_hidden_states`, `timestep`, `img_ids`, `txt_ids` -> `noise_pred`. */
  readonly model: ModelProto;
  /** The config it was built for. */
  readonly config: Flux2Config;
  /** Every parameter read, in read order, with its torch shape. */
  readonly parameters: readonly ReadParameter[];
  /** What was quantized, as model.json records it; absent without `quantization`. */
  readonly quantization?: WeightQuantization;
}

/**
 * Builds a FLUX.2 transformer in memory from a config and a weight source. The tiny preset builds
 * in milliseconds and the same seeded source gives byte-identical bytes; weights over
 * `INLINE_WEIGHT_LIMIT` are refused before anything is read (`TooLargeForMemory`): build those with
 * `buildFlux2TransformerFile`, which streams them to disk. Every config and weight problem is
 * reported at once.
 */
export async function buildFlux2Transformer(
  config: Flux2Config,
  weights: WeightSource,
  options: Flux2BuildOptions = {},
): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, Flux2TransformerGraph>> {
  const dtype = options.dtype ?? 'float32';
  const valid = checkFlux2BuildOptions(config, options);
  if (E.isLeft(valid)) return valid;
  const bytes = flux2WeightBytes(config, dtype, options.quantization);
  if (bytes > INLINE_WEIGHT_LIMIT) return E.left([{ _tag: 'TooLargeForMemory', bytes }]);
  const store = createFlux2ParameterStore(weights, inlineSink(), dtype, options.quantization);
  const model = (await layoutFlux2Transformer(config, store)).build();
  const checked = checkWeightsRead(store, weights);
  return E.isLeft(checked) ? checked : E.right({ model, config, parameters: store.names, ...flux2QuantizationOf(store, options) });
}

/** Checks the config and the quantization options, every problem at once, before any weight is read. */
export function checkFlux2BuildOptions(config: Flux2Config, options: Flux2BuildOptions): E.Either<NEA.NonEmptyArray<GraphBuildError>, Flux2Config> {
  const valid = validateFlux2Config(config);
  const problems: GraphBuildError[] = [...(E.isLeft(valid) ? valid.left : []), ...(options.quantization ? quantizationProblems(options.quantization) : [])];
  const [first, ...rest] = problems;
  return first ? E.left([first, ...rest]) : E.right(config);
}

/** The `quantization` record of a quantized build (spread into a result), or nothing. */
export function flux2QuantizationOf(store: Pick<Flux2ParameterStore, 'linears'>, options: Flux2BuildOptions): { quantization?: WeightQuantization } {
  return options.quantization ? { quantization: quantizationRecord(options.quantization, store.linears) } : {};
}

/**
 * The graph of a config with no weights: every parameter an empty external reference (to
 * `transformer.onnx.data`). For looking at the structure of full-size configs (layers, names,
 * shapes) at no memory cost; it cannot be run.
 */
export async function flux2TransformerSkeleton(config: Flux2Config, options: Flux2BuildOptions = {}): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, ModelProto>> {
  const valid = checkFlux2BuildOptions(config, options);
  if (E.isLeft(valid)) return valid;
  return E.right((await layoutFlux2Transformer(config, skeletonParameterStore('transformer.onnx.data', options.dtype ?? 'float32', options.quantization))).build());
}

/** Bytes of all weights of a config in the given storage type, with the block linears quantized when `quantization` is given. */
export function flux2WeightBytes(config: Flux2Config, dtype: WeightDtype = 'float32', quantization?: QuantizationOptions): number {
  return flux2ParameterShapes(config).reduce((sum, p) => {
    const [out, inp] = p.shape as [number, number];
    const module = p.name.replace(/\.weight$/u, '');
    if (quantization && p.shape.length === 2 && isFlux2QuantizedLinear(module)) return sum + quantizedWeightBytes(out, inp, quantization);
    return sum + p.shape.reduce((n, s) => n * s, 1) * weightDtypeBytes(dtype);
  }, 0);
}
