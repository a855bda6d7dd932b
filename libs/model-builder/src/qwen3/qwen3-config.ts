import * as A from 'fp-ts/lib/Apply.js';
import { isNonEmpty } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { ConfigProblem } from '../model-config/config-problem.js';

/**
 * The architecture of a Qwen3 decoder (`Qwen3ForCausalLM`), with the keys and meanings of a
 * Hugging Face `config.json`. Only the parts the text encoder runs are kept; every Linear is
 * bias-free, the activation is SiLU and RoPE is the default (unscaled) half-split layout.
 */
export interface Qwen3Config {
  /** Rows of `model.embed_tokens.weight` (151,936 for every Qwen3 model). */
  readonly vocab_size: number;
  /** Width of the residual stream. */
  readonly hidden_size: number;
  /** Width of the SwiGLU MLP (gate_proj / up_proj outputs). */
  readonly intermediate_size: number;
  /** Decoder layers of the full model (the encoder runs only those it needs). */
  readonly num_hidden_layers: number;
  /** Query heads. */
  readonly num_attention_heads: number;
  /** Key / value heads (grouped-query attention: query head h reads kv head h / (heads / kv heads)). */
  readonly num_key_value_heads: number;
  /** Channels per head (Qwen3 sets it explicitly; not necessarily hidden_size / heads). */
  readonly head_dim: number;
  /** Epsilon of every RMSNorm. */
  readonly rms_norm_eps: number;
  /** RoPE base. */
  readonly rope_theta: number;
  /** Longest sequence the model was trained for (the encoder's max length may not exceed it). */
  readonly max_position_embeddings: number;
  /** Whether lm_head shares the embedding (lm_head is never read by the encoder either way). */
  readonly tie_word_embeddings: boolean;
}

/** A Qwen3 model used as a text encoder: the model, which hidden states it returns, and the token length. */
export interface Qwen3TextEncoderConfig {
  /** The decoder's architecture. */
  readonly model: Qwen3Config;
  /**
   * Hugging Face `hidden_states` indices whose states are concatenated along channels, in this
   * order: 0 is the embedding output, i (1 <= i < num_hidden_layers) the raw output of decoder
   * layer i - 1 (0-based), and num_hidden_layers the output of the last layer after the final norm.
   */
  readonly outputLayers: readonly number[];
  /** Tokens per prompt after padding / truncation (512 for FLUX.2). */
  readonly maxLength: number;
}

/** Checks a text-encoder config and reports every problem at once. */
export function validateQwen3TextEncoderConfig(config: Qwen3TextEncoderConfig): E.Either<NEA.NonEmptyArray<ConfigProblem>, Qwen3TextEncoderConfig> {
  const m = config.model;
  const problems: ConfigProblem[] = [];
  const positiveInteger = (key: string, value: unknown): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) problems.push({ _tag: 'InvalidValue', key, value, expected: 'a positive integer' });
  };
  const positiveNumber = (key: string, value: unknown): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) problems.push({ _tag: 'InvalidValue', key, value, expected: 'a positive number' });
  };
  for (const key of ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'max_position_embeddings'] as const) {
    positiveInteger(key, m[key]);
  }
  positiveNumber('rms_norm_eps', m.rms_norm_eps);
  positiveNumber('rope_theta', m.rope_theta);
  if (typeof m.tie_word_embeddings !== 'boolean') problems.push({ _tag: 'InvalidValue', key: 'tie_word_embeddings', value: m.tie_word_embeddings, expected: 'true or false' });
  if (Number.isInteger(m.head_dim) && m.head_dim % 2 !== 0) problems.push({ _tag: 'InvalidValue', key: 'head_dim', value: m.head_dim, expected: 'an even number (RoPE rotates channel halves)' });
  if (Number.isInteger(m.num_attention_heads) && Number.isInteger(m.num_key_value_heads) && m.num_key_value_heads > 0 && m.num_attention_heads % m.num_key_value_heads !== 0) {
    problems.push({ _tag: 'InvalidValue', key: 'num_key_value_heads', value: m.num_key_value_heads, expected: `a divisor of num_attention_heads (${m.num_attention_heads})` });
  }
  if (!Array.isArray(config.outputLayers) || config.outputLayers.length === 0) {
    problems.push({ _tag: 'InvalidValue', key: 'outputLayers', value: config.outputLayers, expected: 'a non-empty list of hidden_states indices' });
  } else {
    for (const index of config.outputLayers) {
      if (!Number.isInteger(index) || index < 0 || (Number.isInteger(m.num_hidden_layers) && index > m.num_hidden_layers)) {
        problems.push({ _tag: 'InvalidValue', key: 'outputLayers', value: index, expected: `hidden_states indices from 0 to num_hidden_layers (${m.num_hidden_layers})` });
      }
    }
  }
  positiveInteger('maxLength', config.maxLength);
  if (Number.isInteger(config.maxLength) && Number.isInteger(m.max_position_embeddings) && config.maxLength > m.max_position_embeddings) {
    problems.push({ _tag: 'InvalidValue', key: 'maxLength', value: config.maxLength, expected: `at most max_position_embeddings (${m.max_position_embeddings})` });
  }
  return isNonEmpty(problems) ? E.left(problems) : E.right(config);
}

/**
 * Reads a Hugging Face Qwen3 `config.json` (already parsed). Keys the encoder does not use
 * (`architectures`, `torch_dtype`, token ids, ...) are ignored; settings it cannot run (attention
 * bias, another activation, RoPE scaling, sliding-window attention, another model type) are errors.
 * `head_dim` defaults to hidden_size / num_attention_heads and `tie_word_embeddings` to false, as
 * in transformers; `rope_theta` is also read from `rope_parameters` (transformers 5).
 */
export function parseQwen3Config(json: unknown, source = 'config.json'): E.Either<NEA.NonEmptyArray<ConfigProblem>, Qwen3Config> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return E.left([{ _tag: 'NotAnObject', source }]);
  }
  const record = json as Record<string, unknown>;
  const V = E.getApplicativeValidation(NEA.getSemigroup<ConfigProblem>());
  const num = (key: string, value: unknown = record[key]): E.Either<NEA.NonEmptyArray<ConfigProblem>, number> =>
    value === undefined
      ? E.left([{ _tag: 'MissingKey', key }])
      : typeof value === 'number'
        ? E.right(value)
        : E.left([{ _tag: 'InvalidValue', key, value, expected: 'a number' }]);
  const ropeParameters = record['rope_parameters'] as Record<string, unknown> | undefined;
  const headDim = record['head_dim'] ?? (typeof record['hidden_size'] === 'number' && typeof record['num_attention_heads'] === 'number' ? record['hidden_size'] / record['num_attention_heads'] : undefined);
  const unsupported = (key: string, ok: (value: unknown) => boolean, reason: string): E.Either<NEA.NonEmptyArray<ConfigProblem>, true> =>
    ok(record[key]) ? E.right(true) : E.left([{ _tag: 'Unsupported', key, value: record[key], reason }]);
  const isAbsentOr = (...allowed: unknown[]) => (value: unknown) => value === undefined || value === null || allowed.includes(value);
  const ropeType = (value: unknown): boolean =>
    value === undefined || value === null || (typeof value === 'object' && ['default', undefined].includes((value as Record<string, unknown>)['rope_type'] as string | undefined));
  return pipe(
    A.sequenceS(V)({
      vocab_size: num('vocab_size'),
      hidden_size: num('hidden_size'),
      intermediate_size: num('intermediate_size'),
      num_hidden_layers: num('num_hidden_layers'),
      num_attention_heads: num('num_attention_heads'),
      num_key_value_heads: num('num_key_value_heads'),
      head_dim: num('head_dim', headDim),
      rms_norm_eps: num('rms_norm_eps'),
      rope_theta: num('rope_theta', record['rope_theta'] ?? ropeParameters?.['rope_theta']),
      max_position_embeddings: num('max_position_embeddings'),
      tie_word_embeddings: E.right(record['tie_word_embeddings'] === true),
      modelType: unsupported('model_type', isAbsentOr('qwen3'), 'only Qwen3 models (model_type "qwen3") are built'),
      hiddenAct: unsupported('hidden_act', isAbsentOr('silu'), 'the MLP is SwiGLU with SiLU'),
      attentionBias: unsupported('attention_bias', isAbsentOr(false), 'the attention projections are built without bias'),
      slidingWindow: unsupported('use_sliding_window', isAbsentOr(false), 'sliding-window attention is not built'),
      ropeScaling: unsupported('rope_scaling', ropeType, 'only the default (unscaled) RoPE is built'),
      ropeParameters: unsupported('rope_parameters', ropeType, 'only the default (unscaled) RoPE is built'),
    }),
    E.map(({ modelType: _m, hiddenAct: _h, attentionBias: _a, slidingWindow: _s, ropeScaling: _r, ropeParameters: _p, ...config }) => config),
  );
}
