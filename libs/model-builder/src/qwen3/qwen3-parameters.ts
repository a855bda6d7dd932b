import type { WeightInit } from '../weights/weight-source.js';
import type { Qwen3TextEncoderConfig } from './qwen3-config.js';

/** One parameter the encoder reads: Hugging Face name, torch shape and how a seeded source fills it. */
export interface Qwen3Parameter {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: WeightInit;
}

/** What a text encoder needs of a Qwen3 checkpoint. */
export interface Qwen3ParameterPlan {
  /** Decoder layers run: `model.layers.0` .. `model.layers.{layersRun - 1}`. */
  readonly layersRun: number;
  /** Whether the final `model.norm` is applied (only when hidden_states[num_hidden_layers] is requested). */
  readonly finalNorm: boolean;
  /** Parameters read, in the order the graph reads them (a streamed build reads and stores them one by one in this order). */
  readonly parameters: readonly Qwen3Parameter[];
  /** Checkpoint tensors present in a Qwen3 checkpoint but never read, as name patterns. */
  readonly skipped: readonly string[];
}

/**
 * The layers and parameters a text encoder needs, following Hugging Face's `hidden_states`
 * indexing: index 0 needs only the embedding, index i needs decoder layers 0 .. i - 1, and index
 * num_hidden_layers also needs the final norm. Layers after the last one needed, the final norm
 * otherwise, and `lm_head.weight` (tied or not) are skipped, never an error.
 */
export function qwen3ParameterPlan(config: Qwen3TextEncoderConfig): Qwen3ParameterPlan {
  const m = config.model;
  const last = Math.max(...config.outputLayers);
  const layersRun = last;
  const finalNorm = last === m.num_hidden_layers;
  const h = m.hidden_size;
  const q = m.num_attention_heads * m.head_dim;
  const kv = m.num_key_value_heads * m.head_dim;
  const linear = (name: string, out: number, inp: number): Qwen3Parameter => ({ name, shape: [out, inp], init: { kind: 'linear', fanIn: inp } });
  const ones = (name: string, size: number): Qwen3Parameter => ({ name, shape: [size], init: { kind: 'ones' } });
  const parameters: Qwen3Parameter[] = [{ name: 'model.embed_tokens.weight', shape: [m.vocab_size, h], init: { kind: 'embedding' } }];
  for (let layer = 0; layer < layersRun; layer++) {
    const p = `model.layers.${layer}`;
    parameters.push(
      ones(`${p}.input_layernorm.weight`, h),
      linear(`${p}.self_attn.q_proj.weight`, q, h),
      ones(`${p}.self_attn.q_norm.weight`, m.head_dim),
      linear(`${p}.self_attn.k_proj.weight`, kv, h),
      ones(`${p}.self_attn.k_norm.weight`, m.head_dim),
      linear(`${p}.self_attn.v_proj.weight`, kv, h),
      linear(`${p}.self_attn.o_proj.weight`, h, q),
      ones(`${p}.post_attention_layernorm.weight`, h),
      linear(`${p}.mlp.gate_proj.weight`, m.intermediate_size, h),
      linear(`${p}.mlp.up_proj.weight`, m.intermediate_size, h),
      linear(`${p}.mlp.down_proj.weight`, h, m.intermediate_size),
    );
  }
  if (finalNorm) parameters.push(ones('model.norm.weight', h));
  const skipped: string[] = [];
  if (layersRun < m.num_hidden_layers) {
    skipped.push(layersRun === m.num_hidden_layers - 1 ? `model.layers.${layersRun}.*` : `model.layers.${layersRun}.* .. model.layers.${m.num_hidden_layers - 1}.*`);
  }
  if (!finalNorm) skipped.push('model.norm.weight');
  skipped.push('lm_head.weight');
  return { layersRun, finalNorm, parameters, skipped };
}

/** Whether a checkpoint tensor is one a Qwen3 text encoder may leave unread (later layers, final norm, lm_head). */
export function isSkippableQwen3Tensor(name: string, plan: Qwen3ParameterPlan): boolean {
  if (name === 'lm_head.weight') return true;
  if (name === 'model.norm.weight') return !plan.finalNorm;
  const match = /^model\.layers\.(\d+)\./u.exec(name);
  return match !== null && Number(match[1]) >= plan.layersRun;
}
