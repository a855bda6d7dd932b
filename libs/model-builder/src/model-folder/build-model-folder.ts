import { copyFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isNonEmpty } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { commitFolder, DEFAULT_RESOLUTION, errorReason, isHubRepoId, MODEL_MANIFEST_FILE, MODEL_MANIFEST_FORMAT, readModelManifest, stagingFolder, writeModelManifest, type ManifestComponent, type ManifestSampler, type ModelManifest, type WeightQuantization } from '@moral-plantain/formats';
import { buildFlux2TransformerFile } from '../flux2/flux2-build-file.js';
import { buildFlux2VaeFiles, FLUX2_VAE_FILES } from '../flux2-vae/flux2-vae-build.js';
import type { Flux2VaeConfig } from '../flux2-vae/flux2-vae-config.js';
import type { GraphBuildError } from '../graph-weights/graph-build-error.js';
import type { Flux2Config } from '../flux2/flux2-config.js';
import { buildQwen3TextEncoderFile } from '../qwen3/qwen3-build-file.js';
import { quantizationProblems, type QuantizationOptions } from '../quantization/quantization-options.js';
import type { Qwen3TextEncoderConfig } from '../qwen3/qwen3-config.js';
import type { WeightSource } from '../weights/weight-source.js';
import type { ModelBuildProblem } from './model-build-problem.js';
import { checkTextWidth } from './text-width.js';

/** What `buildModelFolder` builds. */
export interface BuildModelFolderOptions {
  /** The folder to write: absent, empty or a model folder of ours (which is replaced). */
  readonly out: string;
  /** Short name recorded in model.json (a preset name, or the checkpoint's). */
  readonly name: string;
  readonly transformer: { readonly config: Flux2Config; readonly weights: WeightSource };
  /** The Qwen3 text encoder to build, or null for a folder without one (prompt embeddings then come from a file). */
  readonly textEncoder: { readonly config: Qwen3TextEncoderConfig; readonly weights: WeightSource } | null;
  /** The VAE to build (`vae_encoder.onnx`, `vae_decoder.onnx`), or null/absent for a folder without one (it can probe, not make or encode images). */
  readonly vae?: { readonly config: Flux2VaeConfig; readonly weights: WeightSource } | null;
  /** The scheduler and distillation of the pipeline (absent: the FLUX.2 defaults of a base checkpoint). */
  readonly sampler?: ManifestSampler;
  /** Folder with `tokenizer.json` and `tokenizer_config.json` to copy, or null for none. */
  readonly tokenizerDir: string | null;
  /** Marks the tiny embedded model (its default probe resolution is its own `TINY_RESOLUTION`). */
  readonly tiny: boolean;
  /** Seeds of seeded random weights, by component (empty for checkpoints). */
  readonly seeds: Readonly<Record<string, number>>;
  /** The Hugging Face repo id of the transformer's checkpoint, recorded in model.json when known (never for seeded weights). */
  readonly baseModel?: string;
  /** Write the transformer weights to `transformer.onnx.data` (default: only past 1 GiB). */
  readonly externalData?: boolean;
  /**
   * Quantize the linear layers of the transformer blocks and of the text encoder to MatMulNBits as
   * they are read (default: none); model.json records what was quantized.
   */
  readonly quantization?: QuantizationOptions;
  /**
   * Stream the text encoder weights to `text_encoder.onnx.data` as they are read (default: only
   * past 1 GiB, as for the real Qwen3-4B, which is then never held in memory).
   */
  readonly textEncoderExternalData?: boolean;
}

/** What `buildModelFolder` wrote. */
export interface BuiltModelFolder {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** Files written, relative to the folder. */
  readonly files: readonly string[];
}

/** The tiny model's probe resolution [height, width]: 128 x 128 pixels, 8 x 8 latent tokens. */
export const TINY_RESOLUTION: readonly [number, number] = [128, 128];

/** The tokenizer files a model folder carries. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;

/**
 * Builds a model folder: `transformer.onnx` (+ `.data` when large) from the FLUX.2 builder,
 * `text_encoder.onnx` (+ `.data` when large) from the Qwen3 builder, both streaming large weights
 * to disk tensor by tensor, `vae_encoder.onnx` and `vae_decoder.onnx` when a VAE is given, the
 * tokenizer files, and `model.json`. Everything is written into a
 * staging folder beside `out` and renamed into place when complete, so `out` is never a partly
 * written folder, whatever stops the build; an existing `out` is replaced only when it is empty or
 * a model folder of ours. The text encoder's output width must be the transformer's
 * `joint_attention_dim`, and a base model must be a Hub repo id of checkpoint weights; both are
 * checked before anything is written.
 */
export async function buildModelFolder(options: BuildModelFolderOptions): Promise<E.Either<NEA.NonEmptyArray<ModelBuildProblem>, BuiltModelFolder>> {
  if (options.baseModel !== undefined) {
    if (!isHubRepoId(options.baseModel)) return E.left([{ _tag: 'InvalidBaseModel', value: options.baseModel }]);
    if (options.tiny || options.seeds.transformer !== undefined) return E.left([{ _tag: 'BaseModelWithoutCheckpoint' }]);
  }
  if (options.textEncoder) {
    const width = checkTextWidth(options.transformer.config, options.textEncoder.config);
    if (E.isLeft(width)) return E.left([width.left]);
  }
  const invalid = options.quantization ? quantizationProblems(options.quantization) : [];
  if (isNonEmpty(invalid)) return E.left(invalid);
  const dir = path.resolve(options.out);
  const replaceable = await replaceableTarget(dir);
  if (E.isLeft(replaceable)) return E.left([replaceable.left]);
  let staging: string;
  try {
    staging = await stagingFolder(dir);
  } catch (error) {
    return E.left([{ _tag: 'WriteFailed', path: dir, reason: errorReason(error) }]);
  }
  const built = await buildInto(staging, options);
  if (E.isLeft(built)) {
    await rm(staging, { recursive: true, force: true });
    return built;
  }
  try {
    await commitFolder(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    return E.left([{ _tag: 'WriteFailed', path: dir, reason: errorReason(error) }]);
  }
  return E.right({ ...built.right, dir });
}

/** Whether `dir` may be replaced by a new build: absent, an empty folder, or a folder with our model.json. */
async function replaceableTarget(dir: string): Promise<E.Either<ModelBuildProblem, true>> {
  const found = await stat(dir).catch(() => null);
  if (found === null) return E.right(true);
  if (!found.isDirectory()) return E.left({ _tag: 'WriteFailed', path: dir, reason: 'EEXIST' });
  if ((await readdir(dir)).length === 0) return E.right(true);
  const manifest = await readModelManifest(dir);
  return E.isRight(manifest) && manifest.right !== null ? E.right(true) : E.left({ _tag: 'OutNotModelFolder', path: dir });
}

/** Writes the folder's files into `dir` (the staging folder), model.json last. */
async function buildInto(dir: string, options: BuildModelFolderOptions): Promise<E.Either<NEA.NonEmptyArray<ModelBuildProblem>, BuiltModelFolder>> {
  const files: string[] = [];
  const quantization = options.quantization ? { quantization: options.quantization } : {};
  const transformer = await buildFlux2TransformerFile(options.transformer.config, options.transformer.weights, {
    file: path.join(dir, 'transformer.onnx'),
    ...(options.externalData !== undefined ? { externalData: options.externalData } : {}),
    ...quantization,
  });
  if (E.isLeft(transformer)) return E.left(mapProblems(transformer.left, 'TransformerFailed'));
  files.push('transformer.onnx', ...(transformer.right.dataPath ? [path.basename(transformer.right.dataPath)] : []));
  let textEncoder: ManifestComponent | null = null;
  if (options.textEncoder) {
    const written = await buildQwen3TextEncoderFile(options.textEncoder.config, options.textEncoder.weights, {
      file: path.join(dir, 'text_encoder.onnx'),
      ...(options.textEncoderExternalData !== undefined ? { externalData: options.textEncoderExternalData } : {}),
      ...quantization,
    });
    if (E.isLeft(written)) return E.left(mapProblems(written.left, 'TextEncoderFailed'));
    files.push('text_encoder.onnx', ...(written.right.dataPath ? [path.basename(written.right.dataPath)] : []));
    textEncoder = component('text_encoder.onnx', options.textEncoder, written.right.quantization);
  }
  if (options.vae) {
    const vae = await buildFlux2VaeFiles(options.vae.config, options.vae.weights, { dir });
    if (E.isLeft(vae)) return E.left(mapProblems(vae.left, 'VaeFailed'));
    files.push(FLUX2_VAE_FILES.encoder, FLUX2_VAE_FILES.decoder);
  }
  const tokenizerFiles: string[] = [];
  if (options.tokenizerDir !== null) {
    for (const name of TOKENIZER_FILES) {
      try {
        await copyFile(path.join(options.tokenizerDir, name), path.join(dir, name));
        tokenizerFiles.push(name);
      } catch (error) {
        return E.left([{ _tag: 'WriteFailed', path: path.join(options.out, name), reason: errorReason(error) }]);
      }
    }
  }
  const manifest: ModelManifest = {
    format: MODEL_MANIFEST_FORMAT,
    name: options.name,
    tiny: options.tiny,
    transformer: component('transformer.onnx', options.transformer, transformer.right.quantization),
    textEncoder,
    tokenizerFiles,
    seeds: options.seeds,
    resolution: options.tiny ? TINY_RESOLUTION : DEFAULT_RESOLUTION,
    ...(options.vae ? { vae: { ...FLUX2_VAE_FILES, config: { ...options.vae.config }, weights: options.vae.weights.description } } : {}),
    ...(options.sampler ? { sampler: options.sampler } : {}),
    ...(options.baseModel !== undefined ? { baseModel: options.baseModel } : {}),
  };
  try {
    await writeModelManifest(dir, manifest);
  } catch (error) {
    return E.left([{ _tag: 'WriteFailed', path: path.join(options.out, MODEL_MANIFEST_FILE), reason: errorReason(error) }]);
  }
  return E.right({ dir, manifest, files: [...files, ...tokenizerFiles, MODEL_MANIFEST_FILE] });
}

/** A graph's entry in model.json: its file, config, where its weights came from and how they were quantized. */
function component(file: string, graph: { readonly config: object; readonly weights: WeightSource }, quantization: WeightQuantization | undefined): ManifestComponent {
  return { file, config: { ...graph.config }, weights: graph.weights.description, ...(quantization ? { quantization } : {}) };
}

function mapProblems(errors: NEA.NonEmptyArray<GraphBuildError>, tag: 'TransformerFailed' | 'TextEncoderFailed' | 'VaeFailed'): NEA.NonEmptyArray<ModelBuildProblem> {
  return NEA.map((error: GraphBuildError): ModelBuildProblem => ({ _tag: tag, error }))(errors);
}
