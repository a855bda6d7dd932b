import * as E from 'fp-ts/lib/Either.js';
import { encodeModel, type ModelProto } from '@moral-plantain/hooks';
import path from 'node:path';
import { writeGraphFile, writeStreamedGraph, type GraphWriteFailed } from '../graph-weights/graph-file.js';
import { inlineSink } from '../graph-weights/parameter-sink.js';
import { weightDtypeBytes } from '../graph-weights/weight-dtype.js';
import type { WeightError, WeightSource } from '../weights/weight-source.js';
import { validateFlux2Config, type Flux2Config, type Flux2ConfigProblem } from './flux2-config.js';
import { layoutFlux2Graph } from './flux2-graph.js';
import { createFlux2ParameterStore, skeletonParameterStore, type Flux2ParameterStore, type Flux2WeightDtype } from './flux2-parameter-store.js';
import { flux2ParameterShapes } from './flux2-parameters.js';

/** Options shared by the FLUX.2 builders. */
export interface Flux2BuildOptions {
  /** Storage type of the weights (default `float32`); float16 weights are cast to float32 in the graph, compute is float32. */
  readonly dtype?: Flux2WeightDtype;
}

/** Options of `buildFlux2Transformer`. */
export interface Flux2FileOptions extends Flux2BuildOptions {
  /** The graph file to write, e.g. `DIR/transformer.onnx`. */
  readonly file: string;
  /**
   * Stream the weights into `<file>.data` as they are read instead of keeping them in the graph
   * (default: only when the weights exceed `FLUX2_INLINE_LIMIT`; required past 2 GB).
   */
  readonly externalData?: boolean;
}

/** Largest weight size (bytes) kept inside the graph file by default: 1 GiB, well below protobuf's 2 GB limit. */
export const FLUX2_INLINE_LIMIT = 2 ** 30;

/** Why a FLUX.2 transformer could not be built. */
export type Flux2BuildError =
  | { readonly _tag: 'InvalidConfig'; readonly problems: readonly Flux2ConfigProblem[] }
  | { readonly _tag: 'WeightProblems'; readonly problems: readonly WeightError[] }
  | { readonly _tag: 'UnreadTensors'; readonly names: readonly string[]; readonly source: string }
  | { readonly _tag: 'TooLargeForMemory'; readonly bytes: number }
  | GraphWriteFailed;

/** A FLUX.2 transformer built in memory. */
export interface Flux2Model {
  readonly model: ModelProto;
  /** The encoded model (what `onnxruntime` sessions load). */
  readonly bytes: Uint8Array;
  /** Every parameter read, in read order, with its torch shape. */
  readonly parameters: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/** What `buildFlux2Transformer` wrote. */
export interface Flux2Written {
  readonly graphPath: string;
  readonly graphBytes: number;
  /** The external data file, or undefined when the weights are inside the graph. */
  readonly dataPath: string | undefined;
  readonly dataBytes: number;
  readonly parameters: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/**
 * Builds a FLUX.2 transformer in memory from a config and a weight source (small models: the tiny
 * preset builds in milliseconds; the same seeded source gives byte-identical bytes).
 */
export async function buildFlux2TransformerModel(config: Flux2Config, weights: WeightSource, options: Flux2BuildOptions = {}): Promise<E.Either<Flux2BuildError, Flux2Model>> {
  const dtype = options.dtype ?? 'float32';
  const valid = validateFlux2Config(config);
  if (E.isLeft(valid)) return E.left({ _tag: 'InvalidConfig', problems: valid.left });
  const bytes = flux2WeightBytes(config, dtype);
  if (bytes > FLUX2_INLINE_LIMIT) return E.left({ _tag: 'TooLargeForMemory', bytes });
  const store = createFlux2ParameterStore(weights, inlineSink(), dtype);
  const model = (await layoutFlux2Graph(config, store)).build();
  const checked = checkWeights(store, weights);
  return E.isLeft(checked) ? checked : E.right({ model, bytes: encodeModel(model), parameters: store.names });
}

/**
 * Builds a FLUX.2 transformer into `file` (atomically). With external data, each weight is written
 * to `<file>.data` as soon as it is read and then dropped, so a multi-GB checkpoint is never held in
 * memory; the graph file keeps `location`/`offset`/`length` references relative to its folder.
 */
export async function buildFlux2Transformer(config: Flux2Config, weights: WeightSource, options: Flux2FileOptions): Promise<E.Either<Flux2BuildError, Flux2Written>> {
  const dtype = options.dtype ?? 'float32';
  const valid = validateFlux2Config(config);
  if (E.isLeft(valid)) return E.left({ _tag: 'InvalidConfig', problems: valid.left });
  const graphPath = path.resolve(options.file);
  const external = options.externalData ?? flux2WeightBytes(config, dtype) > FLUX2_INLINE_LIMIT;
  if (!external) {
    const built = await buildFlux2TransformerModel(config, weights, { dtype });
    if (E.isLeft(built)) return built;
    const written = await writeGraphFile(graphPath, built.right.model);
    return E.map((graphBytes: number) => ({ graphPath, graphBytes, dataPath: undefined, dataBytes: 0, parameters: built.right.parameters }))(written);
  }
  // The store lives inside the streamed build (it needs its sink); its read list is kept for the result.
  let parameters: Flux2Written['parameters'] = [];
  return writeStreamedGraph(graphPath, async (sink): Promise<E.Either<Flux2BuildError, ModelProto>> => {
    const store = createFlux2ParameterStore(weights, sink, dtype);
    const model = (await layoutFlux2Graph(config, store)).build();
    parameters = store.names;
    return E.as(model)(checkWeights(store, weights));
  }).then(E.map((written) => ({ ...written, parameters })));
}

/**
 * The graph of a config with no weights: every parameter an empty external reference (to
 * `transformer.onnx.data`). For looking at the structure of full-size configs (layers, names,
 * shapes) at no memory cost; it cannot be run.
 */
export async function flux2TransformerSkeleton(config: Flux2Config, options: Flux2BuildOptions = {}): Promise<E.Either<Flux2BuildError, ModelProto>> {
  const valid = validateFlux2Config(config);
  if (E.isLeft(valid)) return E.left({ _tag: 'InvalidConfig', problems: valid.left });
  return E.right((await layoutFlux2Graph(config, skeletonParameterStore('transformer.onnx.data', options.dtype ?? 'float32'))).build());
}

/** Bytes of all weights of a config in the given storage type. */
export function flux2WeightBytes(config: Flux2Config, dtype: Flux2WeightDtype = 'float32'): number {
  const count = flux2ParameterShapes(config).reduce((sum, p) => sum + p.shape.reduce((n, s) => n * s, 1), 0);
  return count * weightDtypeBytes(dtype);
}

/** One sentence for people. */
export function describeFlux2BuildError(error: Flux2BuildError): string {
  switch (error._tag) {
    case 'InvalidConfig':
      // The problems themselves are worded by describeFlux2ConfigProblem, one line each.
      return `The FLUX.2 config is invalid (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}).`;
    case 'WeightProblems':
      return `${error.problems.length} FLUX.2 weight${error.problems.length === 1 ? ' is' : 's are'} missing or of the wrong shape: ${error.problems
        .slice(0, 8)
        .map((p) => ('name' in p ? p.name : 'path' in p ? p.path : p.names.join(', ')))
        .join(', ')}${error.problems.length > 8 ? ', ...' : ''}.`;
    case 'UnreadTensors':
      return `${error.source} has ${error.names.length} tensor${error.names.length === 1 ? '' : 's'} this FLUX.2 config does not use: ${error.names.slice(0, 8).join(', ')}${error.names.length > 8 ? ', ...' : ''}; check the config matches the checkpoint.`;
    case 'TooLargeForMemory':
      return `The weights take ${(error.bytes / 2 ** 30).toFixed(1)} GiB, too much for an in-memory ONNX model; build to a file with external data.`;
    case 'WriteFailed':
      return `Could not write ${error.path}: ${error.reason}.`;
  }
}

function checkWeights(store: Flux2ParameterStore, weights: WeightSource): E.Either<Flux2BuildError, true> {
  if (store.problems.length > 0) return E.left({ _tag: 'WeightProblems', problems: store.problems });
  const unread = weights.unread();
  return unread.length > 0 ? E.left({ _tag: 'UnreadTensors', names: unread, source: weights.description }) : E.right(true);
}
