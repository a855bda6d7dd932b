import { isNonEmpty } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { ConfigProblem } from '../model-config/config-problem.js';

/**
 * The configuration of a FLUX.2 VAE, with the keys of diffusers' `AutoencoderKLFlux2` `config.json`
 * (`models/autoencoders/autoencoder_kl_flux2.py`, `__init__`), so a model folder's config
 * round-trips unchanged. Keys that change nothing at inference (`sample_size`, `force_upcast`,
 * `batch_norm_momentum`) are kept by the parser among the ignored keys.
 */
export interface Flux2VaeConfig {
  /** Image channels in (3). */
  readonly in_channels: number;
  /** Image channels out (3). */
  readonly out_channels: number;
  /** One `DownEncoderBlock2D` per entry of `block_out_channels`. */
  readonly down_block_types: readonly string[];
  /** One `UpDecoderBlock2D` per entry of `block_out_channels`. */
  readonly up_block_types: readonly string[];
  /** Output channels of each encoder block (the decoder runs them in reverse). */
  readonly block_out_channels: readonly number[];
  /** The decoder's own block channels; null means `block_out_channels` (as in diffusers). */
  readonly decoder_block_out_channels: readonly number[] | null;
  /** Resnets per encoder block; decoder blocks hold one more (`vae.py`, `Decoder.__init__`). */
  readonly layers_per_block: number;
  /** Activation of every resnet and of the encoder/decoder outputs; only `silu`. */
  readonly act_fn: string;
  /** Channels of the latent (the transformer reads 4 x this after the 2 x 2 patchify). */
  readonly latent_channels: number;
  /** Groups of every GroupNorm. */
  readonly norm_num_groups: number;
  /** The 1 x 1 `quant_conv` after the encoder. */
  readonly use_quant_conv: boolean;
  /** The 1 x 1 `post_quant_conv` before the decoder. */
  readonly use_post_quant_conv: boolean;
  /** One-head attention in both mid blocks. */
  readonly mid_block_add_attention: boolean;
  /** Epsilon of the `bn` running statistics that normalise the patchified latents. */
  readonly batch_norm_eps: number;
  /** The latent patch; the FLUX.2 pipelines patchify 2 x 2 (`_patchify_latents`), so only [2, 2]. */
  readonly patch_size: readonly number[];
}

/** A parsed diffusers VAE `config.json`: the config and the keys it had that this builder ignores. */
export interface ParsedFlux2VaeConfig {
  readonly config: Flux2VaeConfig;
  /** Keys present in the file that are not `Flux2VaeConfig` keys (e.g. `_class_name`, `sample_size`), sorted. */
  readonly ignoredKeys: readonly string[];
}

/** Pixels per latent position: 2^(blocks - 1), diffusers' `vae_scale_factor` (8 for FLUX.2). */
export function flux2VaeScaleFactor(config: Flux2VaeConfig): number {
  return 2 ** (config.block_out_channels.length - 1);
}

/** Channels per image token after the 2 x 2 patchify: 4 x latent_channels (the transformer's `in_channels`). */
export function flux2VaePatchedChannels(config: Flux2VaeConfig): number {
  return config.latent_channels * (config.patch_size[0] ?? 1) * (config.patch_size[1] ?? 1);
}

/** The decoder's block channels (its own, or the encoder's). */
export function flux2VaeDecoderChannels(config: Flux2VaeConfig): readonly number[] {
  return config.decoder_block_out_channels ?? config.block_out_channels;
}

const POSITIVE_INTEGER_KEYS = ['in_channels', 'out_channels', 'layers_per_block', 'latent_channels', 'norm_num_groups'] as const;
const BOOLEAN_KEYS = ['use_quant_conv', 'use_post_quant_conv', 'mid_block_add_attention'] as const;

/** Checks a VAE config and reports every problem at once (value ranges and cross-key consistency). */
export function validateFlux2VaeConfig(config: Flux2VaeConfig): E.Either<NEA.NonEmptyArray<ConfigProblem>, Flux2VaeConfig> {
  const problems: ConfigProblem[] = [];
  const invalid = (key: string, value: unknown, expected: string): void => void problems.push({ _tag: 'InvalidValue', key, value, expected });
  for (const key of POSITIVE_INTEGER_KEYS) {
    const value = config[key];
    if (!(Number.isInteger(value) && value >= 1)) invalid(key, value, 'a positive integer');
  }
  for (const key of BOOLEAN_KEYS) if (typeof config[key] !== 'boolean') invalid(key, config[key], 'true or false');
  if (!(Number.isFinite(config.batch_norm_eps) && config.batch_norm_eps > 0)) invalid('batch_norm_eps', config.batch_norm_eps, 'a positive number');
  if (config.act_fn !== 'silu') problems.push({ _tag: 'Unsupported', key: 'act_fn', value: config.act_fn, reason: 'only silu, the FLUX.2 VAE activation, is built' });
  const channelList = (key: string, value: unknown): value is readonly number[] => {
    const ok = Array.isArray(value) && value.length >= 1 && value.every((c) => Number.isInteger(c) && c >= 1);
    if (!ok) invalid(key, value, 'a non-empty list of positive integers');
    return ok;
  };
  const encoderOk = channelList('block_out_channels', config.block_out_channels);
  const decoderOk = config.decoder_block_out_channels === null || channelList('decoder_block_out_channels', config.decoder_block_out_channels);
  if (encoderOk && decoderOk && config.decoder_block_out_channels !== null && config.decoder_block_out_channels.length !== config.block_out_channels.length) {
    problems.push({ _tag: 'Inconsistent', keys: ['decoder_block_out_channels', 'block_out_channels'], reason: 'the decoder must have as many blocks as the encoder (the image is downsampled and upsampled the same number of times)' });
  }
  blockTypes('down_block_types', config.down_block_types, 'DownEncoderBlock2D', encoderOk ? config.block_out_channels.length : null, problems);
  blockTypes('up_block_types', config.up_block_types, 'UpDecoderBlock2D', encoderOk ? config.block_out_channels.length : null, problems);
  const patch = config.patch_size;
  if (!(Array.isArray(patch) && patch.length === 2 && patch[0] === 2 && patch[1] === 2)) {
    problems.push({ _tag: 'Unsupported', key: 'patch_size', value: patch, reason: 'the FLUX.2 pipelines patchify the latents 2 x 2, so only [2, 2] is built' });
  }
  const groups = config.norm_num_groups;
  if (Number.isInteger(groups) && groups >= 1 && encoderOk && decoderOk) {
    const channels = [...config.block_out_channels, ...flux2VaeDecoderChannels(config)];
    const bad = [...new Set(channels.filter((c) => c % groups !== 0))];
    if (bad.length > 0) problems.push({ _tag: 'Inconsistent', keys: ['norm_num_groups', 'block_out_channels'], reason: `${bad.join(', ')} channel${bad.length === 1 ? ' is' : 's are'} not a multiple of ${groups} groups` });
  }
  return isNonEmpty(problems) ? E.left(problems) : E.right(config);
}

function blockTypes(key: string, value: unknown, expected: string, count: number | null, problems: ConfigProblem[]): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ _tag: 'InvalidValue', key, value, expected: `a non-empty list of "${expected}"` });
    return;
  }
  const other = value.find((t) => t !== expected);
  if (other !== undefined) problems.push({ _tag: 'Unsupported', key, value: other, reason: `only ${expected}, the block of the FLUX.2 VAE, is built` });
  if (count !== null && value.length !== count) problems.push({ _tag: 'Inconsistent', keys: [key, 'block_out_channels'], reason: `${value.length} block types for ${count} block channel counts` });
}

const REQUIRED_KEYS = ['block_out_channels', 'latent_channels'] as const;

/** The diffusers defaults of `AutoencoderKLFlux2.__init__` (the klein VAE), for keys a config.json may leave out. */
const DEFAULTS: Omit<Flux2VaeConfig, (typeof REQUIRED_KEYS)[number]> = {
  in_channels: 3,
  out_channels: 3,
  down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'],
  decoder_block_out_channels: null,
  layers_per_block: 2,
  act_fn: 'silu',
  norm_num_groups: 32,
  use_quant_conv: true,
  use_post_quant_conv: true,
  mid_block_add_attention: true,
  batch_norm_eps: 1e-4,
  patch_size: [2, 2],
};

/**
 * Reads a diffusers `config.json` object of `AutoencoderKLFlux2`: `block_out_channels` and
 * `latent_channels` are required (a file that lacks them is not a VAE config), the other keys take
 * the class defaults, keys this builder does not use are returned as `ignoredKeys`, and the result
 * is validated.
 */
export function parseFlux2VaeConfig(json: unknown, source = 'config.json'): E.Either<NEA.NonEmptyArray<ConfigProblem>, ParsedFlux2VaeConfig> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return E.left([{ _tag: 'NotAnObject', source }]);
  const record = json as Record<string, unknown>;
  const missing: ConfigProblem[] = REQUIRED_KEYS.filter((key) => !Object.hasOwn(record, key)).map((key) => ({ _tag: 'MissingKey', key }));
  if (isNonEmpty(missing)) return E.left(missing);
  const known = new Set<string>([...REQUIRED_KEYS, ...Object.keys(DEFAULTS)]);
  const ignoredKeys = Object.keys(record)
    .filter((key) => !known.has(key))
    .sort();
  const config = Object.fromEntries([...known].map((key) => [key, record[key] ?? (DEFAULTS as Record<string, unknown>)[key]])) as unknown as Flux2VaeConfig;
  return E.map((checked: Flux2VaeConfig) => ({ config: checked, ignoredKeys }))(validateFlux2VaeConfig(config));
}
