import { existsSync } from 'node:fs';
import path from 'node:path';
import { isNonEmpty } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { DEFAULT_TEXT_LENGTH, FLUX2_SCHEDULER_CONFIG, isHubRepoId, isSeed, type ManifestSampler } from '@moral-plantain/formats';
import { DEFAULT_QUANTIZATION_BLOCK_SIZE, DEFAULT_WEIGHT_SEED } from '../build-defaults.js';
import { flux2VaePatchedChannels, type Flux2VaeConfig } from '../flux2-vae/flux2-vae-config.js';
import { readFlux2VaeConfigFile } from '../flux2-vae/flux2-vae-config-file.js';
import { flux2VaePreset } from '../flux2-vae/flux2-vae-presets.js';
import type { Flux2Config } from '../flux2/flux2-config.js';
import { readFlux2ConfigFile } from '../flux2/flux2-config-file.js';
import { flux2Preset } from '../flux2/flux2-presets.js';
import type { ConfigProblem } from '../model-config/config-problem.js';
import { isQuantizationName, QUANTIZATION_NAMES, quantizationProblems, type QuantizationOptions } from '../quantization/quantization-options.js';
import type { Qwen3Config, Qwen3TextEncoderConfig } from '../qwen3/qwen3-config.js';
import { readQwen3ConfigFile } from '../qwen3/qwen3-config-file.js';
import { qwen3Presets } from '../qwen3/qwen3-presets.js';
import { checkpointWeights } from '../weights/checkpoint-weights.js';
import { seededWeights } from '../weights/seeded-weights.js';
import type { WeightSource } from '../weights/weight-source.js';
import { TOKENIZER_FILES, type BuildModelFolderOptions } from './build-model-folder.js';
import type { ModelBuildProblem } from './model-build-problem.js';
import { readPipelineFolder, readSchedulerFile } from './pipeline-folder.js';
import { textLayersFor } from './text-layers.js';
import { checkTextWidth } from './text-width.js';

/** What a model folder should be built from: the choices of `moral-plantain model build`. */
export interface ModelBuildRequest {
  /** The folder to write. */
  readonly out: string;
  /** A transformer preset (default `tiny` when neither `config` nor the checkpoint folder gives a config). */
  readonly preset?: string;
  /** A diffusers `Flux2Transformer2DModel` config.json (default: `config.json` in the `weights` folder). */
  readonly config?: string;
  /** A diffusers transformer checkpoint: a `.safetensors` file or a folder of them; default: seeded random weights. */
  readonly weights?: string;
  /** Seeded random weights asked for explicitly (excludes `weights`). */
  readonly random?: boolean;
  /** Seed of seeded random weights (default `DEFAULT_WEIGHT_SEED`, 0). */
  readonly seed?: number;
  /** The text encoder: a Hugging Face Qwen3 folder, `null` for none, or absent for the matching preset with seeded weights. */
  readonly textEncoder?: string | null;
  /**
   * Hugging Face hidden-state indices concatenated as the prompt embedding (default: the text
   * preset's; for a text encoder folder, klein's 9, 18, 27 when the encoder has them, else a
   * problem asking for them: `textLayersFor`).
   */
  readonly textLayers?: readonly number[];
  /** Tokenizer files to copy when the text encoder folder has none (`tokenizer.json` + `tokenizer_config.json`), or null. */
  readonly defaultTokenizerDir: string | null;
  /** Stream both graphs' weights to `.data` files even when small. */
  readonly externalData?: boolean;
  /**
   * A diffusers pipeline folder (`model_index.json`, `transformer/`, `text_encoder/`, `vae/`,
   * `scheduler/`, `tokenizer/`): its components unless given one by one, its scheduler and its
   * `is_distilled`. Excludes `weights`, `config`, `preset` and `random`.
   */
  readonly from?: string;
  /** The VAE: a diffusers `vae/` folder (config.json + safetensors), `null` for none, absent for the tiny VAE of the tiny model and none otherwise. */
  readonly vae?: string | null;
  /** A VAE preset with seeded weights (`klein`, `tiny`), instead of a `vae` folder. */
  readonly vaePreset?: string;
  /** A `scheduler_config.json`, or a folder holding one (default: the pipeline folder's, else the FLUX.2 scheduler). */
  readonly scheduler?: string;
  /** Whether the checkpoint is step-distilled, sampled without classifier-free guidance (default: the pipeline folder's `is_distilled`, else false). */
  readonly distilled?: boolean;
  /**
   * The Hugging Face repo id (`org/name`) of the checkpoint given as `weights`, recorded in
   * model.json as the model's `baseModel`. Only with checkpoint weights: a seeded random
   * transformer comes from no checkpoint. Default: not recorded.
   */
  readonly baseModel?: string;
  /** Quantize the linear layers of the transformer blocks and the text encoder: `int8` or `int4` (default: none, float weights). */
  readonly quantize?: string;
  /** Weights per quantization block along a layer's input (default `DEFAULT_QUANTIZATION_BLOCK_SIZE`, 128); only with `quantize`. */
  readonly quantizationBlockSize?: number;
  /** A zero point per block (default false: symmetric, as ONNX Runtime's quantizer writes by default); only with `quantize`. */
  readonly asymmetric?: boolean;
}

/**
 * Turns a request into the exact build: the transformer config (preset, config.json, or the
 * checkpoint folder's config.json), its weights (a checkpoint, or seeded), the text encoder (its
 * preset or a Hugging Face folder, with the requested layers), the tokenizer files (the text
 * encoder folder's own when it has them), the seeds, the name, and whether it is the tiny embedded
 * model (the tiny preset with seeded weights) and the weight quantization. Checks the rules a build
 * needs (options that exclude each other, a checkpoint transformer needs a text encoder, the text
 * width must match the transformer's `joint_attention_dim`, quantization options only with a known
 * quantization and a block size MatMulNBits takes) and returns every problem at once. Checkpoint headers are
 * read; no weights are.
 */
export async function planModelBuild(given: ModelBuildRequest): Promise<E.Either<NEA.NonEmptyArray<ModelBuildProblem>, BuildModelFolderOptions>> {
  const problems: ModelBuildProblem[] = [];
  const pipeline = given.from === undefined ? null : await pipelineRequest(given, problems);
  // Without its pipeline folder's components the rest of the plan would only report their absence again.
  if (given.from !== undefined && pipeline === null && isNonEmpty(problems)) return E.left(problems);
  const request = pipeline?.request ?? given;
  const seed = request.seed ?? DEFAULT_WEIGHT_SEED;
  if (!isSeed(seed)) problems.push({ _tag: 'InvalidSeed', value: seed });
  if (request.weights !== undefined && request.random) {
    problems.push({ _tag: 'ConflictingOptions', options: ['--weights', '--random'], hint: 'Give a checkpoint with --weights, or --random --seed N for seeded weights.' });
  }
  if (request.preset !== undefined && request.config !== undefined) {
    problems.push({ _tag: 'ConflictingOptions', options: ['--preset', '--config'], hint: 'Use --preset for a built-in config or --config for a diffusers config.json.' });
  }
  if (request.weights !== undefined && request.textEncoder === undefined) problems.push({ _tag: 'TextEncoderRequired' });
  const layers = request.textLayers;
  if (layers !== undefined && (layers.length === 0 || !layers.every((n) => Number.isInteger(n) && n >= 0))) problems.push({ _tag: 'InvalidTextLayers', layers });
  if (request.baseModel !== undefined && !isHubRepoId(request.baseModel)) problems.push({ _tag: 'InvalidBaseModel', value: request.baseModel });
  else if (request.baseModel !== undefined && request.weights === undefined) problems.push({ _tag: 'BaseModelWithoutCheckpoint' });

  const quantization = quantizationOf(request, problems);
  const transformerConfig = await transformerConfigOf(request, problems);
  const transformerWeights = request.weights === undefined ? seededWeights({ seed }) : await checkpoint(request.weights, problems);
  const tiny = request.config === undefined && (request.preset ?? 'tiny') === 'tiny' && request.weights === undefined;
  const textEncoder = request.textEncoder === null ? null : await textEncoderOf(request, tiny, seed, transformerConfig?.joint_attention_dim ?? null, problems);
  if (transformerConfig && textEncoder) {
    const width = checkTextWidth(transformerConfig, textEncoder.config);
    if (E.isLeft(width)) problems.push(width.left);
  }
  if (request.vae !== undefined && request.vae !== null && request.vaePreset !== undefined) {
    problems.push({ _tag: 'ConflictingOptions', options: ['--vae', '--vae-preset'], hint: 'Give a diffusers vae/ folder with --vae, or a preset with seeded weights with --vae-preset.' });
  }
  const vae = await vaeOf(request, tiny, seed, problems);
  if (transformerConfig && vae && flux2VaePatchedChannels(vae.config) !== transformerConfig.in_channels) {
    problems.push({ _tag: 'VaeChannelMismatch', patchedChannels: flux2VaePatchedChannels(vae.config), inChannels: transformerConfig.in_channels });
  }
  const scheduler = request.scheduler === undefined ? FLUX2_SCHEDULER_CONFIG : await readSchedulerFile(request.scheduler).then((s) => (E.isLeft(s) ? (problems.push(...s.left), null) : s.right));
  if (isNonEmpty(problems)) return E.left(problems);
  const sampler: ManifestSampler = { scheduler: scheduler!, isDistilled: request.distilled ?? false };

  const seeds: Record<string, number> = {};
  if (request.weights === undefined) seeds.transformer = seed;
  if (textEncoder && typeof request.textEncoder !== 'string') seeds.textEncoder = seed;
  if (vae && typeof request.vae !== 'string') seeds.vae = seed;
  const tokenizerDir = [pipeline?.tokenizer, typeof request.textEncoder === 'string' ? request.textEncoder : null].find(
    (dir): dir is string => typeof dir === 'string' && TOKENIZER_FILES.every((f) => existsSync(path.join(dir, f))),
  );
  return E.right({
    out: request.out,
    // A Hub snapshot folder is named by its commit hash: the repo's name says more.
    name: pipeline ? (request.baseModel?.split('/')[1] ?? path.basename(path.resolve(given.from!))) : folderName(request),
    tiny,
    seeds,
    transformer: { config: transformerConfig!, weights: transformerWeights! },
    textEncoder,
    vae,
    sampler,
    tokenizerDir: tokenizerDir ?? request.defaultTokenizerDir,
    ...(request.externalData ? { externalData: true, textEncoderExternalData: true } : {}),
    ...(request.baseModel !== undefined ? { baseModel: request.baseModel } : {}),
    ...(quantization ? { quantization } : {}),
  });
}

/** The quantization a request asks for, or null for float weights; problems are collected. */
function quantizationOf(request: ModelBuildRequest, problems: ModelBuildProblem[]): QuantizationOptions | null {
  if (request.quantize === undefined) {
    if (request.quantizationBlockSize !== undefined) problems.push({ _tag: 'QuantizationOptionWithoutQuantize', option: '--quant-block-size' });
    if (request.asymmetric) problems.push({ _tag: 'QuantizationOptionWithoutQuantize', option: '--asymmetric' });
    return null;
  }
  if (!isQuantizationName(request.quantize)) {
    problems.push({ _tag: 'UnknownQuantization', value: request.quantize });
    return null;
  }
  const options: QuantizationOptions = { bits: QUANTIZATION_NAMES[request.quantize], blockSize: request.quantizationBlockSize ?? DEFAULT_QUANTIZATION_BLOCK_SIZE, symmetric: request.asymmetric !== true };
  const invalid = quantizationProblems(options);
  problems.push(...invalid);
  return invalid.length === 0 ? options : null;
}

/** A request with a pipeline folder, turned into one with its components (explicit ones win), and the folder's tokenizer. */
async function pipelineRequest(request: ModelBuildRequest, problems: ModelBuildProblem[]): Promise<{ request: ModelBuildRequest; tokenizer: string | null } | null> {
  const clashing = (['weights', 'config', 'preset', 'random'] as const).filter((key) => request[key] !== undefined && request[key] !== false);
  if (clashing.length > 0) {
    problems.push({ _tag: 'ConflictingOptions', options: ['--from', ...clashing.map((k) => `--${k}`)], hint: 'A pipeline folder gives the transformer, its config and its weights; give --from alone, or the components one by one.' });
  }
  const folder = await readPipelineFolder(request.from!);
  if (E.isLeft(folder)) {
    problems.push(...folder.left);
    return null;
  }
  const p = folder.right;
  return {
    tokenizer: p.tokenizer,
    request: {
      ...request,
      weights: p.transformer,
      textEncoder: request.textEncoder === undefined ? p.textEncoder : request.textEncoder,
      vae: request.vae === undefined && request.vaePreset === undefined ? p.vae : request.vae,
      scheduler: request.scheduler ?? p.scheduler ?? undefined,
      distilled: request.distilled ?? p.isDistilled,
    },
  };
}

/** The VAE to build: a diffusers vae/ folder, a preset with seeded weights, the tiny model's own, or none. */
async function vaeOf(request: ModelBuildRequest, tiny: boolean, seed: number, problems: ModelBuildProblem[]): Promise<{ config: Flux2VaeConfig; weights: WeightSource } | null> {
  if (typeof request.vae === 'string') {
    const parsed = await readFlux2VaeConfigFile(path.join(request.vae, 'config.json'));
    if (E.isLeft(parsed)) for (const problem of parsed.left) problems.push({ _tag: 'VaeConfig', problem });
    const weights = await checkpoint(request.vae, problems);
    return E.isRight(parsed) && weights ? { config: parsed.right.config, weights } : null;
  }
  const preset = request.vaePreset ?? (tiny && request.vae === undefined ? 'tiny' : undefined);
  if (request.vae === null || preset === undefined) return null;
  const config = flux2VaePreset(preset);
  if (E.isLeft(config)) {
    for (const problem of config.left) problems.push({ _tag: 'VaeConfig', problem });
    return null;
  }
  return { config: config.right, weights: seededWeights({ seed }) };
}

async function transformerConfigOf(request: ModelBuildRequest, problems: ModelBuildProblem[]): Promise<Flux2Config | null> {
  const inCheckpoint = request.weights !== undefined && existsSync(path.join(request.weights, 'config.json')) ? path.join(request.weights, 'config.json') : undefined;
  const file = request.config ?? (request.preset === undefined ? inCheckpoint : undefined);
  const parsed = file === undefined ? flux2Preset(request.preset ?? 'tiny') : E.map((p: { config: Flux2Config }) => p.config)(await readFlux2ConfigFile(file));
  return collect(parsed, problems, 'TransformerConfig');
}

/**
 * The text encoder to build: its preset with seeded weights (the preset's own text layers by
 * default), or a Hugging Face Qwen3 folder, whose text layers default to klein's where the encoder
 * is deep enough (`textLayersFor`). Text layers beyond the encoder's depth are refused either way.
 */
async function textEncoderOf(request: ModelBuildRequest, tiny: boolean, seed: number, jointAttentionDim: number | null, problems: ModelBuildProblem[]): Promise<{ config: Qwen3TextEncoderConfig; weights: WeightSource } | null> {
  const dir = request.textEncoder;
  const layersOf = (model: Qwen3Config, fallback: readonly number[] | undefined) => {
    const layers = textLayersFor(model, request.textLayers ?? fallback, jointAttentionDim);
    if (E.isLeft(layers)) problems.push(layers.left);
    return E.isRight(layers) ? layers.right : null;
  };
  if (typeof dir !== 'string') {
    const preset = tiny ? qwen3Presets.tiny : qwen3Presets['qwen3-4b'];
    const outputLayers = layersOf(preset.model, preset.outputLayers);
    return outputLayers ? { config: { ...preset, outputLayers }, weights: seededWeights({ seed }) } : null;
  }
  const model = collect(await readQwen3ConfigFile(path.join(dir, 'config.json')), problems, 'TextEncoderConfig');
  const weights = await checkpoint(dir, problems);
  const outputLayers = model ? layersOf(model, undefined) : null;
  if (!model || !weights || !outputLayers) return null;
  return { config: { model, outputLayers, maxLength: DEFAULT_TEXT_LENGTH }, weights };
}

async function checkpoint(fileOrDir: string, problems: ModelBuildProblem[]): Promise<WeightSource | null> {
  const source = await checkpointWeights(fileOrDir);
  if (E.isRight(source)) return source.right;
  problems.push({ _tag: 'Checkpoint', error: source.left });
  return null;
}

function collect<T>(value: E.Either<NEA.NonEmptyArray<ConfigProblem>, T>, problems: ModelBuildProblem[], tag: 'TransformerConfig' | 'TextEncoderConfig'): T | null {
  if (E.isRight(value)) return value.right;
  for (const problem of value.left) problems.push({ _tag: tag, problem });
  return null;
}

function folderName(request: ModelBuildRequest): string {
  if (request.config !== undefined) return pipelineName(path.dirname(path.resolve(request.config)));
  if (request.preset !== undefined) return request.preset;
  if (request.baseModel !== undefined) return request.baseModel.split('/')[1] ?? request.baseModel;
  return request.weights === undefined ? 'tiny' : pipelineName(path.resolve(request.weights));
}

/** A folder's name, or its parent's when it is a diffusers pipeline's `transformer` folder (the pipeline's folder names the model). */
function pipelineName(dir: string): string {
  const name = path.basename(dir);
  return name === 'transformer' ? path.basename(path.dirname(dir)) : name;
}
