import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { ConfigProblem } from '../model-config/config-problem.js';
import type { Flux2VaeConfig } from './flux2-vae-config.js';

/** Names of the built-in FLUX.2 VAE configs. */
export type Flux2VaePresetName = 'klein' | 'tiny';

/** The klein VAE: diffusers' `AutoencoderKLFlux2` defaults (`autoencoder_kl_flux2.py`, lines 72-107). */
const KLEIN: Flux2VaeConfig = {
  in_channels: 3,
  out_channels: 3,
  down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'],
  block_out_channels: [128, 256, 512, 512],
  decoder_block_out_channels: null,
  layers_per_block: 2,
  act_fn: 'silu',
  latent_channels: 32,
  norm_num_groups: 32,
  use_quant_conv: true,
  use_post_quant_conv: true,
  mid_block_add_attention: true,
  batch_norm_eps: 1e-4,
  patch_size: [2, 2],
};

/**
 * The built-in VAE configs: `klein` (every FLUX.2 klein and dev checkpoint) and `tiny`, the
 * embedded default model's: the same four blocks (8 pixels per latent position, 16 per token) and
 * 32 latent channels (128 per token, the tiny transformer's `in_channels`), at 8 to 32 channels.
 */
export const flux2VaePresets: Readonly<Record<Flux2VaePresetName, Flux2VaeConfig>> = {
  klein: KLEIN,
  tiny: { ...KLEIN, block_out_channels: [8, 16, 32, 32], norm_num_groups: 4 },
};

/** A VAE preset by name, or an `UnknownPreset` problem listing the known names. */
export function flux2VaePreset(name: string): E.Either<NEA.NonEmptyArray<ConfigProblem>, Flux2VaeConfig> {
  return Object.hasOwn(flux2VaePresets, name)
    ? E.right(flux2VaePresets[name as Flux2VaePresetName])
    : E.left([{ _tag: 'UnknownPreset', preset: name, known: Object.keys(flux2VaePresets) }]);
}
