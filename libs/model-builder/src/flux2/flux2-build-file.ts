import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { WeightQuantization } from '@moral-plantain/formats';
import type { ModelProto } from '@moral-plantain/hooks';
import { checkWeightsRead, type GraphBuildError } from '../graph-weights/graph-build-error.js';
import { INLINE_WEIGHT_LIMIT, writeGraphFile, writeStreamedGraph, type GraphFileWritten } from '../graph-weights/graph-file.js';
import type { ReadParameter } from '../graph-weights/parameter-store.js';
import type { WeightSource } from '../weights/weight-source.js';
import { buildFlux2Transformer, checkFlux2BuildOptions, flux2QuantizationOf, flux2WeightBytes, type Flux2BuildOptions } from './flux2-build.js';
import type { Flux2Config } from './flux2-config.js';
import { layoutFlux2Transformer } from './flux2-graph.js';
import { createFlux2ParameterStore } from './flux2-parameter-store.js';

/** Options of `buildFlux2TransformerFile`. */
export interface Flux2FileOptions extends Flux2BuildOptions {
  /** The graph file to write, e.g. `DIR/transformer.onnx`. */
  readonly file: string;
  /**
   * Stream the weights into `<file>.data` as they are read instead of keeping them in the graph
   * (default: only when the weights exceed `INLINE_WEIGHT_LIMIT`, 1 GiB; required past 2 GB).
   */
  readonly externalData?: boolean;
}

/** What `buildFlux2TransformerFile` wrote, and what the transformer is. */
export interface Flux2TransformerWritten extends GraphFileWritten {
  /** The config it was built for. */
  readonly config: Flux2Config;
  /** Every parameter read, in read order, with its torch shape. */
  readonly parameters: readonly ReadParameter[];
  /** What was quantized, as model.json records it; absent without `quantization`. */
  readonly quantization?: WeightQuantization;
}

/**
 * Builds a FLUX.2 transformer (the graph of `buildFlux2Transformer`) into `file`, atomically. With
 * external data each weight is written to `<file>.data` as soon as it is read and then dropped, so
 * a multi-GB checkpoint is never held in memory; the graph file keeps `location`/`offset`/`length`
 * references relative to its folder. On any problem (all reported at once) nothing is left behind.
 * Without external data the transformer is built in memory and written as one file.
 */
export async function buildFlux2TransformerFile(
  config: Flux2Config,
  weights: WeightSource,
  options: Flux2FileOptions,
): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, Flux2TransformerWritten>> {
  const dtype = options.dtype ?? 'float32';
  const valid = checkFlux2BuildOptions(config, options);
  if (E.isLeft(valid)) return valid;
  const graphPath = path.resolve(options.file);
  const external = options.externalData ?? flux2WeightBytes(config, dtype, options.quantization) > INLINE_WEIGHT_LIMIT;
  if (!external) {
    const built = await buildFlux2Transformer(config, weights, options);
    if (E.isLeft(built)) return built;
    const written = await writeGraphFile(graphPath, built.right.model);
    if (E.isLeft(written)) return E.left([written.left]);
    const { parameters, quantization } = built.right;
    return E.right({ graphPath, graphBytes: written.right, dataPath: undefined, dataBytes: 0, config, parameters, ...(quantization ? { quantization } : {}) });
  }
  // The store lives inside the streamed build (it needs its sink); what it read and quantized is kept for the result.
  let store: ReturnType<typeof createFlux2ParameterStore> | undefined;
  const written = await writeStreamedGraph(graphPath, async (sink): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, ModelProto>> => {
    store = createFlux2ParameterStore(weights, sink, dtype, options.quantization);
    const model = (await layoutFlux2Transformer(config, store)).build();
    return E.as(model)(checkWeightsRead(store, weights));
  });
  if (E.isLeft(written)) return E.left(Array.isArray(written.left) ? written.left : [written.left]);
  const parameters: readonly ReadParameter[] = store?.names ?? [];
  return E.right({ ...written.right, config, parameters, ...(store ? flux2QuantizationOf(store, options) : {}) });
}
