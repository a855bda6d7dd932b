import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { WeightQuantization } from '@moral-plantain/formats';
import type { ModelProto } from '@moral-plantain/hooks';
import type { GraphBuildError } from '../graph-weights/graph-build-error.js';
import { INLINE_WEIGHT_LIMIT, writeGraphFile, writeStreamedGraph, type GraphFileWritten } from '../graph-weights/graph-file.js';
import { createParameterStore } from '../graph-weights/parameter-store.js';
import type { WeightSource } from '../weights/weight-source.js';
import { emptyLinearTally } from '../quantization/quantization-record.js';
import { buildQwen3TextEncoder, checkQwen3BuildOptions, checkQwen3Weights, QWEN3_GRAPH_NAME, qwen3OutputWidth, qwen3QuantizationOf, qwen3WeightBytes, type Qwen3BuildOptions } from './qwen3-build.js';
import type { Qwen3TextEncoderConfig } from './qwen3-config.js';
import { layoutQwen3TextEncoder } from './qwen3-graph.js';
import { qwen3ParameterPlan, type Qwen3ParameterPlan } from './qwen3-parameters.js';

/** Options of `buildQwen3TextEncoderFile`. */
export interface Qwen3FileOptions extends Qwen3BuildOptions {
  /** The graph file to write, e.g. `DIR/text_encoder.onnx`. */
  readonly file: string;
  /**
   * Stream the weights into `<file>.data` as they are read instead of keeping them in the graph
   * (default: only when the weights exceed `INLINE_WEIGHT_LIMIT`, 1 GiB; required past 2 GB).
   */
  readonly externalData?: boolean;
}

/** What `buildQwen3TextEncoderFile` wrote, and what the encoder is. */
export interface Qwen3TextEncoderWritten extends GraphFileWritten {
  /** The config it was built for. */
  readonly config: Qwen3TextEncoderConfig;
  /** Layers run, whether the final norm is applied, parameters read and checkpoint tensors skipped. */
  readonly plan: Qwen3ParameterPlan;
  /** Width of `prompt_embeds`: outputLayers.length x hidden_size. */
  readonly outputWidth: number;
  /** What was quantized, as model.json records it; absent without `quantization`. */
  readonly quantization?: WeightQuantization;
}

/**
 * Builds the Qwen3 text encoder (the graph of `buildQwen3TextEncoder`) into `file`, atomically.
 * With external data each parameter is read from the weight source just before it is stored,
 * written page-aligned to a temporary `<file>.data` and dropped, so memory holds about one tensor
 * (the largest is the embedding), never the checkpoint; the data file is renamed into place only
 * once every weight was read and checked, then the graph is written. On any problem (all reported
 * at once) nothing is left behind. Without external data the encoder is built in memory and
 * written as one file.
 */
export async function buildQwen3TextEncoderFile(
  config: Qwen3TextEncoderConfig,
  weights: WeightSource,
  options: Qwen3FileOptions,
): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, Qwen3TextEncoderWritten>> {
  const valid = checkQwen3BuildOptions(config, options);
  if (E.isLeft(valid)) return valid;
  const graphPath = path.resolve(options.file);
  const plan = qwen3ParameterPlan(config);
  const outputWidth = qwen3OutputWidth(config);
  const external = options.externalData ?? qwen3WeightBytes(config, options.quantization) > INLINE_WEIGHT_LIMIT;
  if (!external) {
    const built = await buildQwen3TextEncoder(config, weights, options);
    if (E.isLeft(built)) return built;
    const written = await writeGraphFile(graphPath, built.right.model);
    if (E.isLeft(written)) return E.left([written.left]);
    const { quantization } = built.right;
    return E.right({ graphPath, graphBytes: written.right, dataPath: undefined, dataBytes: 0, config, plan, outputWidth, ...(quantization ? { quantization } : {}) });
  }
  const tally = emptyLinearTally();
  const written = await writeStreamedGraph(graphPath, async (sink): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, ModelProto>> => {
    const store = createParameterStore(weights, sink, 'float32');
    const model = await layoutQwen3TextEncoder(config, plan, store, options.name ?? QWEN3_GRAPH_NAME, { tally, ...(options.quantization ? { quantization: options.quantization } : {}) });
    return E.as(model)(checkQwen3Weights(plan, store, weights));
  });
  if (E.isLeft(written)) return E.left(Array.isArray(written.left) ? written.left : [written.left]);
  return E.right({ ...written.right, config, plan, outputWidth, ...qwen3QuantizationOf(tally, options) });
}
