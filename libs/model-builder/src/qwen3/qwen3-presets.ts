import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { DEFAULT_TEXT_LENGTH } from '@moral-plantain/formats';
import type { ConfigProblem } from '../model-config/config-problem.js';
import type { Qwen3TextEncoderConfig } from './qwen3-config.js';

/** Names of the built-in text-encoder configs. */
export type Qwen3PresetName = 'qwen3-4b' | 'tiny';

/** Size of the real Qwen3 vocabulary (rows of the embedding). */
export const QWEN3_VOCAB_SIZE = 151_936;

/**
 * The built-in text-encoder configs. `qwen3-4b`: the FLUX.2 klein 4B text encoder (Qwen3-4B,
 * hidden states 9, 18 and 27 -> 3 x 2560 = 7680 channels). `tiny`: the same architecture over the
 * real vocabulary at width 32 (4 query / 2 kv heads of 8), 3 layers, hidden states 1, 2 and 3 (the
 * last one after the final norm, so that path is exercised too).
 */
export const qwen3Presets: Readonly<Record<Qwen3PresetName, Qwen3TextEncoderConfig>> = {
  'qwen3-4b': {
    model: {
      vocab_size: QWEN3_VOCAB_SIZE,
      hidden_size: 2560,
      intermediate_size: 9728,
      num_hidden_layers: 36,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 128,
      rms_norm_eps: 1e-6,
      rope_theta: 1_000_000,
      max_position_embeddings: 40_960,
      tie_word_embeddings: true,
    },
    outputLayers: [9, 18, 27],
    maxLength: DEFAULT_TEXT_LENGTH,
  },
  tiny: {
    model: {
      vocab_size: QWEN3_VOCAB_SIZE,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 3,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 8,
      rms_norm_eps: 1e-6,
      rope_theta: 1_000_000,
      max_position_embeddings: 40_960,
      tie_word_embeddings: true,
    },
    outputLayers: [1, 2, 3],
    maxLength: DEFAULT_TEXT_LENGTH,
  },
};

/** A text-encoder preset by name, or an `UnknownPreset` problem listing the known names. */
export function qwen3Preset(name: string): E.Either<NEA.NonEmptyArray<ConfigProblem>, Qwen3TextEncoderConfig> {
  return Object.hasOwn(qwen3Presets, name)
    ? E.right(qwen3Presets[name as Qwen3PresetName])
    : E.left([{ _tag: 'UnknownPreset', preset: name, known: Object.keys(qwen3Presets) }]);
}
