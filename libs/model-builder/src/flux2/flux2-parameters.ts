import { flux2InnerDim, flux2MlpHidden, flux2OutChannels, type Flux2Config } from './flux2-config.js';

/** One parameter of a FLUX.2 transformer: its diffusers name and torch shape ([out, in] for a Linear). */
export interface Flux2Parameter {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Every parameter a diffusers `Flux2Transformer2DModel` of this config has, by name and torch shape,
 * in the order the graph builder reads them. All Linears are bias-free; the LayerNorms have no
 * parameters; only the q/k RMSNorms carry a weight.
 */
export function flux2ParameterShapes(config: Flux2Config): Flux2Parameter[] {
  const d = flux2InnerDim(config);
  const mlp = flux2MlpHidden(config);
  const headDim = config.attention_head_dim;
  const out: Flux2Parameter[] = [];
  const add = (name: string, ...shape: number[]): void => void out.push({ name, shape });
  const embedders = config.guidance_embeds ? ['timestep_embedder', 'guidance_embedder'] : ['timestep_embedder'];
  for (const embedder of embedders) {
    add(`time_guidance_embed.${embedder}.linear_1.weight`, d, config.timestep_guidance_channels);
    add(`time_guidance_embed.${embedder}.linear_2.weight`, d, d);
  }
  add('double_stream_modulation_img.linear.weight', 6 * d, d);
  add('double_stream_modulation_txt.linear.weight', 6 * d, d);
  add('single_stream_modulation.linear.weight', 3 * d, d);
  add('x_embedder.weight', d, config.in_channels);
  add('context_embedder.weight', d, config.joint_attention_dim);
  for (let n = 0; n < config.num_layers; n++) {
    const attn = `transformer_blocks.${n}.attn`;
    add(`${attn}.to_q.weight`, d, d);
    add(`${attn}.norm_q.weight`, headDim);
    add(`${attn}.to_k.weight`, d, d);
    add(`${attn}.norm_k.weight`, headDim);
    add(`${attn}.to_v.weight`, d, d);
    add(`${attn}.add_q_proj.weight`, d, d);
    add(`${attn}.norm_added_q.weight`, headDim);
    add(`${attn}.add_k_proj.weight`, d, d);
    add(`${attn}.norm_added_k.weight`, headDim);
    add(`${attn}.add_v_proj.weight`, d, d);
    add(`${attn}.to_out.0.weight`, d, d);
    add(`${attn}.to_add_out.weight`, d, d);
    for (const ff of ['ff', 'ff_context']) {
      add(`transformer_blocks.${n}.${ff}.linear_in.weight`, 2 * mlp, d);
      add(`transformer_blocks.${n}.${ff}.linear_out.weight`, d, mlp);
    }
  }
  for (let n = 0; n < config.num_single_layers; n++) {
    const attn = `single_transformer_blocks.${n}.attn`;
    add(`${attn}.to_qkv_mlp_proj.weight`, 3 * d + 2 * mlp, d);
    add(`${attn}.norm_q.weight`, headDim);
    add(`${attn}.norm_k.weight`, headDim);
    add(`${attn}.to_out.weight`, d, d + mlp);
  }
  add('norm_out.linear.weight', 2 * d, d);
  add('proj_out.weight', flux2OutChannels(config), d);
  return out;
}

/**
 * Whether a FLUX.2 Linear (by module path) is quantized by a quantized build: every Linear inside a
 * joint or single-stream block (attention projections and MLPs, 99 % of klein 4B's weights). The
 * timestep embedder, the shared modulations (`double_stream_modulation_*`, `single_stream_modulation`),
 * `x_embedder`, `context_embedder`, `norm_out.linear` and `proj_out` stay in float: they run once per
 * forward pass on [batch, D] vectors or at the model's entry and exit, where an error reaches every
 * block (a modulation scales and shifts every block's normalised input) or the output directly.
 */
export function isFlux2QuantizedLinear(module: string): boolean {
  return module.startsWith('transformer_blocks.') || module.startsWith('single_transformer_blocks.');
}
