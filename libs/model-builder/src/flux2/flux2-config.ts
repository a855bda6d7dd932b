import { isNonEmpty } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { ConfigProblem } from '../model-config/config-problem.js';

/**
 * The configuration of a FLUX.2 transformer, with the keys of diffusers' `Flux2Transformer2DModel`
 * `config.json` (so a model folder's config round-trips unchanged).
 */
export interface Flux2Config {
  /** Joint (double-stream) blocks, `transformer_blocks.N`. */
  readonly num_layers: number;
  /** Single-stream blocks, `single_transformer_blocks.N`. */
  readonly num_single_layers: number;
  readonly num_attention_heads: number;
  readonly attention_head_dim: number;
  /** Width of the text features (`encoder_hidden_states`). */
  readonly joint_attention_dim: number;
  /** SwiGLU hidden width = floor(D x mlp_ratio). */
  readonly mlp_ratio: number;
  readonly in_channels: number;
  /** Output channels; null means `in_channels` (as in diffusers). */
  readonly out_channels: number | null;
  readonly patch_size: number;
  /** RoPE dims per id axis; their sum is the head dim. */
  readonly axes_dims_rope: readonly number[];
  readonly rope_theta: number;
  /** Channels of the sinusoidal timestep projection. */
  readonly timestep_guidance_channels: number;
  /** Epsilon of every LayerNorm and RMSNorm. */
  readonly eps: number;
  /** Whether a guidance embedder (and a `guidance` input) exists: FLUX.2 dev, not klein. */
  readonly guidance_embeds: boolean;
}

/** A parsed diffusers `config.json`: the config and the keys it had that this builder ignores. */
export interface ParsedFlux2Config {
  readonly config: Flux2Config;
  /** Keys present in the file that are not `Flux2Config` keys (e.g. `_class_name`), sorted. */
  readonly ignoredKeys: readonly string[];
}

/** The model width D = heads x head dim. */
export function flux2InnerDim(config: Flux2Config): number {
  return config.num_attention_heads * config.attention_head_dim;
}

/** The SwiGLU hidden width floor(D x mlp_ratio), as diffusers' `int(dim * mlp_ratio)`. */
export function flux2MlpHidden(config: Flux2Config): number {
  return Math.floor(flux2InnerDim(config) * config.mlp_ratio);
}

/** Output channels per token: patch_size^2 x (out_channels ?? in_channels). */
export function flux2OutChannels(config: Flux2Config): number {
  return config.patch_size * config.patch_size * (config.out_channels ?? config.in_channels);
}

const POSITIVE_INTEGER_KEYS = [
  'num_layers',
  'num_single_layers',
  'num_attention_heads',
  'attention_head_dim',
  'joint_attention_dim',
  'in_channels',
  'patch_size',
  'timestep_guidance_channels',
] as const;

/** Checks a config and reports every problem at once (value ranges and cross-key consistency). */
export function validateFlux2Config(config: Flux2Config): E.Either<NEA.NonEmptyArray<ConfigProblem>, Flux2Config> {
  const problems: ConfigProblem[] = [];
  const invalid = (key: string, value: unknown, expected: string): void => void problems.push({ _tag: 'InvalidValue', key, value, expected });
  for (const key of POSITIVE_INTEGER_KEYS) {
    const value = config[key];
    if (!(Number.isInteger(value) && value >= 1)) invalid(key, value, 'a positive integer');
  }
  if (config.out_channels !== null && !(Number.isInteger(config.out_channels) && config.out_channels >= 1)) {
    invalid('out_channels', config.out_channels, 'a positive integer or null');
  }
  if (!(Number.isFinite(config.mlp_ratio) && config.mlp_ratio > 0)) invalid('mlp_ratio', config.mlp_ratio, 'a positive number');
  if (!(Number.isFinite(config.rope_theta) && config.rope_theta > 0)) invalid('rope_theta', config.rope_theta, 'a positive number');
  if (!(Number.isFinite(config.eps) && config.eps > 0)) invalid('eps', config.eps, 'a positive number');
  if (typeof config.guidance_embeds !== 'boolean') invalid('guidance_embeds', config.guidance_embeds, 'true or false');
  const axes = config.axes_dims_rope;
  const axesOk = Array.isArray(axes) && axes.length >= 1 && axes.every((d) => Number.isInteger(d) && d >= 2 && d % 2 === 0);
  if (!axesOk) invalid('axes_dims_rope', axes, 'a non-empty list of positive even integers');
  if (Number.isInteger(config.timestep_guidance_channels) && config.timestep_guidance_channels % 2 !== 0) {
    invalid('timestep_guidance_channels', config.timestep_guidance_channels, 'an even number (cos and sin halves)');
  }
  if (axesOk && Number.isInteger(config.attention_head_dim)) {
    const sum = axes.reduce((s, d) => s + d, 0);
    if (sum !== config.attention_head_dim) {
      problems.push({
        _tag: 'Inconsistent',
        keys: ['axes_dims_rope', 'attention_head_dim'],
        reason: `the RoPE axes sum to ${sum} but each head has ${config.attention_head_dim} dims; they must be equal`,
      });
    }
  }
  if (Number.isInteger(config.num_attention_heads) && Number.isInteger(config.attention_head_dim) && Number.isFinite(config.mlp_ratio) && config.mlp_ratio > 0) {
    if (flux2MlpHidden(config) < 1) problems.push({ _tag: 'Inconsistent', keys: ['mlp_ratio'], reason: 'the MLP hidden width floor(D x mlp_ratio) is 0' });
  }
  return isNonEmpty(problems) ? E.left(problems) : E.right(config);
}

const REQUIRED_KEYS = [
  'num_layers',
  'num_single_layers',
  'num_attention_heads',
  'attention_head_dim',
  'joint_attention_dim',
  'mlp_ratio',
  'in_channels',
  'patch_size',
  'axes_dims_rope',
  'rope_theta',
  'timestep_guidance_channels',
  'eps',
] as const;

/** Keys with diffusers defaults: `out_channels` (null = in_channels) and `guidance_embeds` (true, as in diffusers). */
const OPTIONAL_KEYS = ['out_channels', 'guidance_embeds'] as const;

/**
 * Reads a diffusers `config.json` object of `Flux2Transformer2DModel`: every required key missing
 * is named, keys this builder does not use are returned as `ignoredKeys`, and the result is validated.
 */
export function parseFlux2Config(json: unknown, source = 'config.json'): E.Either<NEA.NonEmptyArray<ConfigProblem>, ParsedFlux2Config> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return E.left([{ _tag: 'NotAnObject', source }]);
  const record = json as Record<string, unknown>;
  const missing: ConfigProblem[] = REQUIRED_KEYS.filter((key) => !Object.hasOwn(record, key)).map((key) => ({ _tag: 'MissingKey', key }));
  const known = new Set<string>([...REQUIRED_KEYS, ...OPTIONAL_KEYS]);
  const ignoredKeys = Object.keys(record)
    .filter((key) => !known.has(key))
    .sort();
  const config = {
    ...Object.fromEntries(REQUIRED_KEYS.map((key) => [key, record[key]])),
    out_channels: record['out_channels'] ?? null,
    guidance_embeds: record['guidance_embeds'] ?? true,
  } as unknown as Flux2Config;
  const checked = validateFlux2Config(config);
  // Missing keys would also fail validation as undefined values; report them once, as missing.
  const missingKeys = new Set(missing.map((p) => (p._tag === 'MissingKey' ? p.key : '')));
  const rest = E.isLeft(checked) ? checked.left.filter((p) => !(p._tag === 'InvalidValue' && missingKeys.has(p.key))) : [];
  const problems = [...missing, ...rest];
  return isNonEmpty(problems) ? E.left(problems) : E.right({ config, ignoredKeys });
}
