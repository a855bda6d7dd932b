import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { writeJsonFile } from '../json-file.js';
import { DEFAULT_RESOLUTION, isResolution, PIXELS_PER_TOKEN } from './folder-defaults.js';
import { parseSchedulerConfig, type FlowMatchSchedulerConfig } from './scheduler-config.js';
import { HUB_REPO_ID_FORM, isHubRepoId } from './hub-repo-id.js';
import { checkWeightQuantization, type WeightQuantization } from './weight-quantization.js';

/** The `format` value of a model folder's `model.json`. */
export const MODEL_MANIFEST_FORMAT = 'moral-plantain/model@1';

/** One graph of a model folder as `model.json` records it. */
export interface ManifestComponent {
  /** Graph file, relative to the folder (e.g. `transformer.onnx`). */
  readonly file: string;
  /** The config the graph was built from (a diffusers / Hugging Face style config object). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Where the weights came from (`seeded random (seed 0)`, a checkpoint folder, ...). */
  readonly weights: string;
  /** How the graph's linear layers were quantized (`model build --quantize`); absent for float weights. */
  readonly quantization?: WeightQuantization;
}

/** The VAE of a model folder: its two graphs, the config they were built from and where the weights came from. */
export interface ManifestVae {
  /** The encoder graph (pixels -> patchified, normalised latents), relative to the folder. */
  readonly encoder: string;
  /** The decoder graph (latents -> pixels), relative to the folder. */
  readonly decoder: string;
  /** The diffusers `AutoencoderKLFlux2` config. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly weights: string;
}

/** How the folder's pipeline samples images: its scheduler and whether the checkpoint is step-distilled (no classifier-free guidance). */
export interface ManifestSampler {
  readonly scheduler: FlowMatchSchedulerConfig;
  /** The pipeline's `is_distilled` (`model_index.json`): distilled checkpoints run without classifier-free guidance. */
  readonly isDistilled: boolean;
}

/** `model.json`: what a folder built by `model build` holds. */
export interface ModelManifest {
  readonly format: typeof MODEL_MANIFEST_FORMAT;
  /** A short name (a preset name, or the checkpoint's). */
  readonly name: string;
  /** True for the tiny embedded model (changes the default probe resolution to its own grid). */
  readonly tiny: boolean;
  readonly transformer: ManifestComponent;
  readonly textEncoder: ManifestComponent | null;
  /** Tokenizer files copied into the folder (relative names), empty when none. */
  readonly tokenizerFiles: readonly string[];
  /** Seeds of seeded random weights, by component (absent for checkpoints). */
  readonly seeds: Readonly<Record<string, number>>;
  /** Default probe resolution in pixels [height, width] (`PIXELS_PER_TOKEN` pixels per latent token). */
  readonly resolution: readonly [number, number];
  /**
   * The Hugging Face repo id (`org/name`) of the checkpoint the transformer's weights come from,
   * when known (`model build --base-model`). Absent for seeded random transformers, which have none.
   */
  readonly baseModel?: string;
  /** The VAE, for generating images and encoding reference images (absent or null: the folder has none). */
  readonly vae?: ManifestVae | null;
  /** The sampler settings (absent or null: the FLUX.2 defaults, a base checkpoint). */
  readonly sampler?: ManifestSampler | null;
}

/** A problem with a `model.json`. */
export interface ManifestProblem {
  readonly key: string;
  readonly reason: string;
}

/** Validates a parsed `model.json`, reporting every problem at once. */
export function parseModelManifest(value: unknown): E.Either<readonly ManifestProblem[], ModelManifest> {
  const problems: ManifestProblem[] = [];
  const o = isRecord(value) ? value : (problems.push({ key: '(root)', reason: 'is not a JSON object' }), {});
  if (o.format !== MODEL_MANIFEST_FORMAT) problems.push({ key: 'format', reason: `is ${JSON.stringify(o.format)}, expected "${MODEL_MANIFEST_FORMAT}"` });
  if (typeof o.name !== 'string' || o.name === '') problems.push({ key: 'name', reason: 'must be a non-empty string' });
  if (typeof o.tiny !== 'boolean') problems.push({ key: 'tiny', reason: 'must be true or false' });
  const transformer = component(o.transformer, 'transformer', problems);
  const textEncoder = o.textEncoder === null || o.textEncoder === undefined ? null : component(o.textEncoder, 'textEncoder', problems);
  const tokenizerFiles = Array.isArray(o.tokenizerFiles) && o.tokenizerFiles.every((f) => typeof f === 'string' && isPlainName(f)) ? (o.tokenizerFiles as string[]) : null;
  if (tokenizerFiles === null) problems.push({ key: 'tokenizerFiles', reason: 'must be an array of file names inside the folder' });
  const seeds = isRecord(o.seeds) && Object.values(o.seeds).every((s) => Number.isSafeInteger(s) && (s as number) >= 0) ? (o.seeds as Record<string, number>) : null;
  if (seeds === null) problems.push({ key: 'seeds', reason: 'must be an object of non-negative integer seeds' });
  const r = o.resolution;
  const resolution = isResolution(r) ? ([r[0], r[1]] as const) : null;
  if (resolution === null) problems.push({ key: 'resolution', reason: `must be [height, width] in pixels, positive multiples of ${PIXELS_PER_TOKEN}` });
  const baseModel = o.baseModel;
  if (baseModel !== undefined) {
    if (typeof baseModel !== 'string' || !isHubRepoId(baseModel)) problems.push({ key: 'baseModel', reason: `must be ${HUB_REPO_ID_FORM}` });
    else if (o.tiny === true || seeds?.transformer !== undefined) problems.push({ key: 'baseModel', reason: 'must be absent: the transformer has seeded random weights, which come from no checkpoint' });
  }
  const vae = o.vae === null || o.vae === undefined ? null : vaeOf(o.vae, problems);
  const sampler = o.sampler === null || o.sampler === undefined ? null : samplerOf(o.sampler, problems);
  if (problems.length > 0 || !transformer) return E.left(problems);
  return E.right({
    format: MODEL_MANIFEST_FORMAT,
    name: o.name as string,
    tiny: o.tiny as boolean,
    transformer,
    textEncoder: textEncoder ?? null,
    tokenizerFiles: tokenizerFiles ?? [],
    seeds: seeds ?? {},
    resolution: resolution ?? DEFAULT_RESOLUTION,
    ...(vae ? { vae } : {}),
    ...(sampler ? { sampler } : {}),
    ...(typeof baseModel === 'string' ? { baseModel } : {}),
  });
}

function vaeOf(value: unknown, problems: ManifestProblem[]): ManifestVae | undefined {
  if (!isRecord(value)) {
    problems.push({ key: 'vae', reason: 'must be an object with encoder, decoder, config and weights' });
    return undefined;
  }
  const before = problems.length;
  for (const key of ['encoder', 'decoder'] as const) {
    if (typeof value[key] !== 'string' || !isPlainName(value[key])) problems.push({ key: `vae.${key}`, reason: 'must be a file name inside the folder' });
  }
  if (!isRecord(value.config)) problems.push({ key: 'vae.config', reason: 'must be an object' });
  if (typeof value.weights !== 'string') problems.push({ key: 'vae.weights', reason: 'must be a string' });
  return problems.length === before ? { encoder: value.encoder as string, decoder: value.decoder as string, config: value.config as Record<string, unknown>, weights: value.weights as string } : undefined;
}

function samplerOf(value: unknown, problems: ManifestProblem[]): ManifestSampler | undefined {
  if (!isRecord(value) || typeof value.isDistilled !== 'boolean') {
    problems.push({ key: 'sampler', reason: 'must be an object with a scheduler config and isDistilled (true or false)' });
    return undefined;
  }
  const scheduler = parseSchedulerConfig(value.scheduler);
  if (E.isLeft(scheduler)) {
    for (const reason of scheduler.left) problems.push({ key: 'sampler.scheduler', reason });
    return undefined;
  }
  return { scheduler: scheduler.right, isDistilled: value.isDistilled };
}

function component(value: unknown, key: string, problems: ManifestProblem[]): ManifestComponent | undefined {
  if (!isRecord(value)) {
    problems.push({ key, reason: 'must be an object with file, config and weights' });
    return undefined;
  }
  const before = problems.length;
  if (typeof value.file !== 'string' || !isPlainName(value.file)) problems.push({ key: `${key}.file`, reason: 'must be a file name inside the folder' });
  if (!isRecord(value.config)) problems.push({ key: `${key}.config`, reason: 'must be an object' });
  if (typeof value.weights !== 'string') problems.push({ key: `${key}.weights`, reason: 'must be a string' });
  const quantization = value.quantization === undefined ? undefined : checkWeightQuantization(value.quantization);
  if (quantization && 'problems' in quantization) {
    for (const p of quantization.problems) problems.push({ key: p.key === '' ? `${key}.quantization` : `${key}.quantization.${p.key}`, reason: p.reason });
  }
  if (problems.length !== before) return undefined;
  return {
    file: value.file as string,
    config: value.config as Record<string, unknown>,
    weights: value.weights as string,
    ...(quantization && 'value' in quantization ? { quantization: quantization.value } : {}),
  };
}

function isPlainName(name: string): boolean {
  return name !== '' && !name.startsWith('/') && !name.split(/[\\/]/).includes('..');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The name of a model folder's manifest. */
export const MODEL_MANIFEST_FILE = 'model.json';

/**
 * Reads `<dir>/model.json`: null when the folder has none (a community export), the manifest when
 * it is valid, else every problem found.
 */
export async function readModelManifest(dir: string): Promise<E.Either<readonly ManifestProblem[], ModelManifest | null>> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MODEL_MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return E.right(null);
    return E.left([{ key: '(file)', reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return E.left([{ key: '(file)', reason: `is not JSON (${(error as Error).message})` }]);
  }
  return parseModelManifest(parsed);
}

/** Writes `<dir>/model.json` atomically (a folder's manifest is written last, so its presence means the folder is complete). */
export async function writeModelManifest(dir: string, manifest: ModelManifest): Promise<void> {
  await writeJsonFile(path.join(dir, MODEL_MANIFEST_FILE), manifest);
}

/** What kind of weights a model folder's transformer has: real ones, the tiny embedded model's, or seeded random ones of a real architecture (the random-init control). */
export type ModelKind = 'pretrained' | 'tiny-seeded' | 'random-init-control';

/** The kind of a folder's transformer weights, from its manifest (a folder without one is a pretrained export). */
export function modelKindOf(manifest: ModelManifest | null): ModelKind {
  if (manifest === null) return 'pretrained';
  if (manifest.tiny) return 'tiny-seeded';
  return manifest.seeds.transformer !== undefined ? 'random-init-control' : 'pretrained';
}
