import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { ModelProto } from '@moral-plantain/hooks';
import { checkWeightsRead, type GraphBuildError } from '../graph-weights/graph-build-error.js';
import { INLINE_WEIGHT_LIMIT, writeGraphFile } from '../graph-weights/graph-file.js';
import { inlineSink } from '../graph-weights/parameter-sink.js';
import { createParameterStore, type ReadParameter } from '../graph-weights/parameter-store.js';
import { weightDtypeBytes, type WeightDtype } from '../graph-weights/weight-dtype.js';
import type { WeightSource } from '../weights/weight-source.js';
import { validateFlux2VaeConfig, type Flux2VaeConfig } from './flux2-vae-config.js';
import { layoutFlux2VaeDecoder, layoutFlux2VaeEncoder } from './flux2-vae-graph.js';
import { createFlux2VaeParameterStore } from './flux2-vae-parameter-store.js';
import { flux2VaeParameterShapes, isSkippableFlux2VaeTensor, type Flux2VaePart } from './flux2-vae-parameters.js';

/** Options of `buildFlux2Vae`. */
export interface Flux2VaeBuildOptions {
  /** Storage type of the weights (default `float32`); float16 weights are cast to float32 in the graph, compute is float32. */
  readonly dtype?: WeightDtype;
}

/** A FLUX.2 VAE built in memory: its two graphs. */
export interface Flux2VaeGraphs {
  /** `image` [B, 3, H, W] -> `latents` [B, 4 x latent_channels, H/16, W/16] (patchified, normalised). */
  readonly encoder: ModelProto;
  /** `latents` -> `image`. */
  readonly decoder: ModelProto;
  readonly config: Flux2VaeConfig;
  /** Every parameter read, in read order (the `bn` statistics once per graph), with its torch shape. */
  readonly parameters: readonly ReadParameter[];
}

/**
 * Builds both graphs of a FLUX.2 VAE (diffusers `AutoencoderKLFlux2`) from a config and a weight
 * source: the encoder graph and the decoder graph, each reading its parameters by their diffusers
 * names. Every config problem and every weight problem (missing, wrongly shaped, or checkpoint
 * tensors that neither graph uses, `bn.num_batches_tracked` excepted) is reported at once.
 */
export async function buildFlux2Vae(config: Flux2VaeConfig, weights: WeightSource, options: Flux2VaeBuildOptions = {}): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, Flux2VaeGraphs>> {
  const dtype = options.dtype ?? 'float32';
  const valid = validateFlux2VaeConfig(config);
  if (E.isLeft(valid)) return valid;
  const bytes = flux2VaeWeightBytes(config, dtype);
  if (bytes > INLINE_WEIGHT_LIMIT) return E.left([{ _tag: 'TooLargeForMemory', bytes }]);
  const store = createParameterStore(weights, inlineSink(), dtype);
  const vaeStore = createFlux2VaeParameterStore(store);
  const encoder = (await layoutFlux2VaeEncoder(config, vaeStore)).build();
  const decoder = (await layoutFlux2VaeDecoder(config, vaeStore)).build();
  const checked = checkWeightsRead(store, weights, isSkippableFlux2VaeTensor);
  return E.isLeft(checked) ? checked : E.right({ encoder, decoder, config, parameters: store.names });
}

/** Bytes of the weights of one graph of a VAE config (or both) in the given storage type. */
export function flux2VaeWeightBytes(config: Flux2VaeConfig, dtype: WeightDtype = 'float32', parts: readonly Flux2VaePart[] = ['encoder', 'decoder']): number {
  const count = parts.flatMap((part) => flux2VaeParameterShapes(config, part)).reduce((sum, p) => sum + p.shape.reduce((n, s) => n * s, 1), 0);
  return count * weightDtypeBytes(dtype);
}

/** Options of `buildFlux2VaeFiles`. */
export interface Flux2VaeFileOptions extends Flux2VaeBuildOptions {
  /** The folder to write `vae_encoder.onnx` and `vae_decoder.onnx` into. */
  readonly dir: string;
}

/** The file names of a model folder's VAE graphs. */
export const FLUX2_VAE_FILES = { encoder: 'vae_encoder.onnx', decoder: 'vae_decoder.onnx' } as const;

/** What `buildFlux2VaeFiles` wrote. */
export interface Flux2VaeWritten {
  readonly encoderPath: string;
  readonly decoderPath: string;
  readonly bytes: number;
  readonly config: Flux2VaeConfig;
  readonly parameters: readonly ReadParameter[];
}

/**
 * Builds both VAE graphs (`buildFlux2Vae`) and writes them as `vae_encoder.onnx` and
 * `vae_decoder.onnx` into `dir`, each atomically; on any problem (all reported at once) nothing is written.
 */
export async function buildFlux2VaeFiles(config: Flux2VaeConfig, weights: WeightSource, options: Flux2VaeFileOptions): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, Flux2VaeWritten>> {
  const built = await buildFlux2Vae(config, weights, options);
  if (E.isLeft(built)) return built;
  const encoderPath = path.resolve(options.dir, FLUX2_VAE_FILES.encoder);
  const decoderPath = path.resolve(options.dir, FLUX2_VAE_FILES.decoder);
  const encoder = await writeGraphFile(encoderPath, built.right.encoder);
  if (E.isLeft(encoder)) return E.left([encoder.left]);
  const decoder = await writeGraphFile(decoderPath, built.right.decoder);
  if (E.isLeft(decoder)) return E.left([decoder.left]);
  return E.right({ encoderPath, decoderPath, bytes: encoder.right + decoder.right, config, parameters: built.right.parameters });
}
