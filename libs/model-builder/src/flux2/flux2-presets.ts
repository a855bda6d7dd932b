import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { ConfigProblem } from '../model-config/config-problem.js';
import { qwen3Presets } from '../qwen3/qwen3-presets.js';
import type { Flux2Config } from './flux2-config.js';

/** Names of the built-in FLUX.2 transformer configs. */
export type Flux2PresetName = 'klein-4b' | 'klein-9b' | 'dev' | 'tiny';

const KLEIN_4B: Flux2Config = {
  num_layers: 5,
  num_single_layers: 20,
  num_attention_heads: 24,
  attention_head_dim: 128,
  joint_attention_dim: 7680,
  mlp_ratio: 3,
  in_channels: 128,
  out_channels: null,
  patch_size: 1,
  axes_dims_rope: [32, 32, 32, 32],
  rope_theta: 2000,
  timestep_guidance_channels: 256,
  eps: 1e-6,
  guidance_embeds: false,
};

/** The tiny text encoder's output width: its hidden states concatenated, which the tiny transformer reads. */
const TINY_TEXT_WIDTH = qwen3Presets.tiny.outputLayers.length * qwen3Presets.tiny.model.hidden_size;

/**
 * The built-in transformer configs: klein 4B and 9B, dev, and `tiny`, the embedded default model's
 * (2 joint + 4 single blocks, D = 64, reading the tiny text encoder's 96 channels).
 */
export const flux2Presets: Readonly<Record<Flux2PresetName, Flux2Config>> = {
  'klein-4b': KLEIN_4B,
  'klein-9b': { ...KLEIN_4B, num_layers: 8, num_single_layers: 24, num_attention_heads: 32, joint_attention_dim: 12288 },
  dev: { ...KLEIN_4B, num_layers: 8, num_single_layers: 48, num_attention_heads: 48, joint_attention_dim: 15360, guidance_embeds: true },
  tiny: {
    ...KLEIN_4B,
    num_layers: 2,
    num_single_layers: 4,
    num_attention_heads: 4,
    attention_head_dim: 16,
    joint_attention_dim: TINY_TEXT_WIDTH,
    axes_dims_rope: [4, 4, 4, 4],
  },
};

/** A transformer preset by name, or an `UnknownPreset` problem listing the known names. */
export function flux2Preset(name: string): E.Either<NEA.NonEmptyArray<ConfigProblem>, Flux2Config> {
  return Object.hasOwn(flux2Presets, name)
    ? E.right(flux2Presets[name as Flux2PresetName])
    : E.left([{ _tag: 'UnknownPreset', preset: name, known: Object.keys(flux2Presets) }]);
}
