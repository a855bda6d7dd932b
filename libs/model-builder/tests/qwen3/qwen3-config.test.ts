import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  describeConfigProblem,
  parseQwen3Config,
  qwen3Preset,
  qwen3ParameterPlan,
  qwen3Presets,
  validateQwen3TextEncoderConfig,
  type ConfigProblem,
} from '../../src/index.js';

/** Qwen/Qwen3-4B's config.json as published on the Hugging Face Hub (transformers 4.51). */
const QWEN3_4B_CONFIG_JSON = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 2560,
  initializer_range: 0.02,
  intermediate_size: 9728,
  max_position_embeddings: 40960,
  max_window_layers: 36,
  model_type: 'qwen3',
  num_attention_heads: 32,
  num_hidden_layers: 36,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.51.0',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

function problems<A>(either: E.Either<readonly ConfigProblem[], A>): readonly ConfigProblem[] {
  if (E.isRight(either)) throw new Error('expected problems');
  return either.left;
}

describe('Qwen3 configs', () => {
  it('parses the real Qwen3-4B config.json into the qwen3-4b preset', () => {
    expect(parseQwen3Config(QWEN3_4B_CONFIG_JSON)).toEqual(E.right(qwen3Presets['qwen3-4b'].model));
  });

  it('reads rope_theta from rope_parameters (transformers 5) and defaults head_dim to hidden / heads', () => {
    const { rope_theta: _t, head_dim: _h, rope_scaling: _s, ...rest } = QWEN3_4B_CONFIG_JSON;
    const parsed = parseQwen3Config({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 5e5 } });
    expect(E.isRight(parsed) && parsed.right.rope_theta).toBe(5e5);
    expect(E.isRight(parsed) && parsed.right.head_dim).toBe(80);
  });

  it('reports every missing key, wrong type and unsupported setting of a config.json at once', () => {
    const { vocab_size: _v, hidden_size: _h, ...rest } = QWEN3_4B_CONFIG_JSON;
    const found = problems(parseQwen3Config({ ...rest, rms_norm_eps: '1e-6', attention_bias: true, hidden_act: 'gelu', rope_scaling: { rope_type: 'yarn', factor: 4 }, use_sliding_window: true, model_type: 'llama' }));
    expect(found.map((p) => `${p._tag}:${'key' in p ? p.key : ''}`).sort()).toEqual(
      [
        'MissingKey:vocab_size',
        'MissingKey:hidden_size',
        'InvalidValue:rms_norm_eps',
        'Unsupported:attention_bias',
        'Unsupported:hidden_act',
        'Unsupported:rope_scaling',
        'Unsupported:use_sliding_window',
        'Unsupported:model_type',
      ].sort(),
    );
    expect(found.map((p) => describeConfigProblem(p, 'Qwen3').message).join('\n')).toContain('The Qwen3 config has no "vocab_size".');
  });

  it('accepts both presets', () => {
    expect(E.isRight(qwen3Preset('tiny')) && E.isRight(qwen3Preset('qwen3-4b'))).toBe(true);
    expect(qwen3Preset('qwen3-8b')).toEqual(E.left([{ _tag: 'UnknownPreset', preset: 'qwen3-8b', known: ['qwen3-4b', 'tiny'] }]));
    for (const preset of Object.values(qwen3Presets)) expect(E.isRight(validateQwen3TextEncoderConfig(preset))).toBe(true);
    expect(qwen3Presets.tiny.model.vocab_size).toBe(151_936);
  });

  it('reports all problems of a text-encoder config together', () => {
    const tiny = qwen3Presets.tiny;
    const found = problems(
      validateQwen3TextEncoderConfig({
        model: { ...tiny.model, hidden_size: 0, head_dim: 7, num_key_value_heads: 3, rms_norm_eps: -1 },
        outputLayers: [1, 4, -1],
        maxLength: 50_000,
      }),
    );
    expect(found.map((p) => `${'key' in p ? p.key : ''}=${JSON.stringify('value' in p ? p.value : null)}`)).toEqual([
      'hidden_size=0',
      'rms_norm_eps=-1',
      'head_dim=7',
      'num_key_value_heads=3',
      'outputLayers=4',
      'outputLayers=-1',
      'maxLength=50000',
    ]);
  });

  it('needs layers 0..26 and no final norm for hidden states 9, 18, 27 of Qwen3-4B, and skips the rest', () => {
    const plan = qwen3ParameterPlan(qwen3Presets['qwen3-4b']);
    expect(plan.layersRun).toBe(27);
    expect(plan.finalNorm).toBe(false);
    expect(plan.parameters).toHaveLength(1 + 27 * 11);
    expect(plan.parameters.at(-1)?.name).toBe('model.layers.26.mlp.down_proj.weight');
    expect(plan.skipped).toEqual(['model.layers.27.* .. model.layers.35.*', 'model.norm.weight', 'lm_head.weight']);
    expect(plan.parameters.find((p) => p.name === 'model.layers.3.self_attn.k_proj.weight')?.shape).toEqual([1024, 2560]);
    expect(plan.parameters.find((p) => p.name === 'model.layers.3.self_attn.o_proj.weight')?.shape).toEqual([2560, 4096]);
  });
});
