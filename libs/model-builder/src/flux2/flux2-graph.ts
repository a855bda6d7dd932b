import { attr, createGraphBuilder, DataType, float32Tensor, int64Tensor, type GraphBuilder } from '@moral-plantain/hooks';
import { flux2InnerDim, flux2MlpHidden, flux2OutChannels, type Flux2Config } from './flux2-config.js';
import type { Flux2ParameterStore } from './flux2-parameter-store.js';

/** Graph input and output names of a built FLUX.2 transformer (diffusers' forward argument names). */
export const FLUX2_IO = {
  hiddenStates: 'hidden_states',
  encoderHiddenStates: 'encoder_hidden_states',
  timestep: 'timestep',
  guidance: 'guidance',
  imgIds: 'img_ids',
  txtIds: 'txt_ids',
  noisePred: 'noise_pred',
} as const;

/** ai.onnx operator set of the built graphs. */
export const FLUX2_OPSET = 21;

/**
 * Lays out the whole FLUX.2 forward pass (flux2-architecture.md) in a new graph, reading every
 * parameter through `params` in module order. Node names follow diffusers module paths,
 * TorchScript style (`/transformer_blocks.0/attn/to_out.0/MatMul`).
 */
export async function layoutFlux2Transformer(config: Flux2Config, params: Flux2ParameterStore): Promise<GraphBuilder> {
  const b = createGraphBuilder({ name: 'flux2_transformer', opset: FLUX2_OPSET, producerName: '@moral-plantain/model-builder' });
  const g = context(b, config);
  const hidden = b.input(FLUX2_IO.hiddenStates, DataType.FLOAT, ['batch', 'image_tokens', config.in_channels]);
  const encoder = b.input(FLUX2_IO.encoderHiddenStates, DataType.FLOAT, ['batch', 'text_tokens', config.joint_attention_dim]);
  const timestep = b.input(FLUX2_IO.timestep, DataType.FLOAT, ['batch']);
  const imgIds = b.input(FLUX2_IO.imgIds, DataType.INT64, ['image_tokens', config.axes_dims_rope.length]);
  const txtIds = b.input(FLUX2_IO.txtIds, DataType.INT64, ['text_tokens', config.axes_dims_rope.length]);
  const guidance = config.guidance_embeds ? b.input(FLUX2_IO.guidance, DataType.FLOAT, ['batch']) : undefined;

  // 1. Timestep (and guidance) embedding, then the shared modulations of SiLU(temb).
  const embed = b.scope('time_guidance_embed');
  let temb = await timestepEmbedding(g, embed, 'timestep_embedder', timestep, params);
  if (guidance !== undefined) temb = embed.op('Add', [temb, await timestepEmbedding(g, embed, 'guidance_embedder', guidance, params)]);
  const activated = silu(b, temb);
  const modImg = await modulation(g, b.scope('double_stream_modulation_img'), activated, 2, params);
  const modTxt = await modulation(g, b.scope('double_stream_modulation_txt'), activated, 2, params);
  const modSingle = (await modulation(g, b.scope('single_stream_modulation'), activated, 1, params))[0] as Modulation;

  // 2. Input projections.
  let x = await params.linear(b.scope('x_embedder'), hidden, g.d, config.in_channels);
  let c = await params.linear(b.scope('context_embedder'), encoder, g.d, config.joint_attention_dim);

  // 3. RoPE tables over [text ; image] positions, and the sequence split sizes.
  const rope = ropeTables(g, b.scope('pos_embed'), txtIds, imgIds);
  const textTokens = b.op('Shape', [c], { start: attr.int(1), end: attr.int(2) });
  const imageTokens = b.op('Shape', [x], { start: attr.int(1), end: attr.int(2) });
  const splitSizes = b.op('Concat', [textTokens, imageTokens], { axis: attr.int(0) });

  // 4. Joint blocks.
  for (let n = 0; n < config.num_layers; n++) {
    [x, c] = await jointBlock(g, b.scope(`transformer_blocks.${n}`), x, c, modImg, modTxt, rope, splitSizes, params);
  }
  // 5. Single blocks over [text ; image].
  let h = b.op('Concat', [c, x], { axis: attr.int(1) });
  for (let n = 0; n < config.num_single_layers; n++) {
    h = await singleBlock(g, b.scope(`single_transformer_blocks.${n}`), h, modSingle, rope, params);
  }
  // 6. Image tokens only, output norm and projection.
  h = b.op('Slice', [h, textTokens, b.constant(int64Tensor([Number.MAX_SAFE_INTEGER])), b.constant(int64Tensor([1]))]);
  const normOut = b.scope('norm_out');
  const normMod = await params.linear(normOut.scope('linear'), activated, 2 * g.d, g.d);
  const [scale, shift] = normOut.node('Split', [normOut.op('Unsqueeze', [normMod, g.axis1]), b.constant(int64Tensor([g.d, g.d]))], {
    attributes: { axis: attr.int(-1) },
    outputs: 2,
  }) as [string, string];
  h = modulate(normOut, layerNorm(g, normOut, h), normOut.op('Add', [scale, g.one]), shift);
  await params.linear(b.scope('proj_out'), h, flux2OutChannels(config), g.d, FLUX2_IO.noisePred);
  b.output(FLUX2_IO.noisePred, DataType.FLOAT, ['batch', 'image_tokens', flux2OutChannels(config)]);
  return b;
}

interface GraphContext {
  readonly config: Flux2Config;
  readonly d: number;
  readonly heads: number;
  readonly headDim: number;
  readonly mlp: number;
  readonly one: string;
  readonly onesD: string;
  readonly axis1: string;
  readonly headsShape: string;
  readonly flatShape: string;
  readonly attentionScale: string;
  readonly eps: string;
}

function context(b: GraphBuilder, config: Flux2Config): GraphContext {
  const d = flux2InnerDim(config);
  return {
    config,
    d,
    heads: config.num_attention_heads,
    headDim: config.attention_head_dim,
    mlp: flux2MlpHidden(config),
    one: b.constant(float32Tensor(new Float32Array([1]), [])),
    onesD: b.constant(float32Tensor(new Float32Array(d).fill(1))),
    axis1: b.constant(int64Tensor([1])),
    headsShape: b.constant(int64Tensor([0, 0, config.num_attention_heads, config.attention_head_dim])),
    flatShape: b.constant(int64Tensor([0, 0, d])),
    attentionScale: b.constant(float32Tensor(new Float32Array([1 / Math.sqrt(config.attention_head_dim)]), [])),
    eps: b.constant(float32Tensor(new Float32Array([config.eps]), [])),
  };
}

/** shift, scale + 1 (precomputed once, shared by every block) and gate, each [batch, 1, D]. */
interface Modulation {
  readonly shift: string;
  readonly scalePlusOne: string;
  readonly gate: string;
}

interface Rope {
  /** cos, [tokens, 1, head_dim] (broadcast over heads). */
  readonly cos: string;
  /** sin with the rotation's sign folded in: -sin at even channels, +sin at odd ones. */
  readonly sinSigned: string;
  /** Channel permutation swapping each pair (2i, 2i+1). */
  readonly swap: string;
}

function silu(scope: GraphBuilder, x: string): string {
  return scope.op('Mul', [x, scope.op('Sigmoid', [x])]);
}

function layerNorm(g: GraphContext, scope: GraphBuilder, x: string): string {
  return scope.op('LayerNormalization', [x, g.onesD], { axis: attr.int(-1), epsilon: attr.float(g.config.eps) });
}

function modulate(scope: GraphBuilder, normed: string, scalePlusOne: string, shift: string): string {
  return scope.op('Add', [scope.op('Mul', [normed, scalePlusOne]), shift]);
}

/** Sinusoid of `t x 1000` (cos half first), then linear_1, SiLU, linear_2. */
async function timestepEmbedding(g: GraphContext, embed: GraphBuilder, name: string, t: string, params: Flux2ParameterStore): Promise<string> {
  const channels = g.config.timestep_guidance_channels;
  const half = channels / 2;
  // diffusers' Timesteps computes the frequencies in float32 step by step; mirror each rounding.
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp(Math.fround(Math.fround(Math.fround(-Math.log(10000)) * i) / half)));
  const proj = embed.scope('time_proj');
  const scaled = proj.op('Mul', [t, proj.constant(float32Tensor(new Float32Array([1000]), []))]);
  const args = proj.op('Mul', [proj.op('Unsqueeze', [scaled, g.axis1]), proj.constant(float32Tensor(freqs))]);
  const sinusoid = proj.op('Concat', [proj.op('Cos', [args]), proj.op('Sin', [args])], { axis: attr.int(-1) });
  const embedder = embed.scope(name);
  const hidden = silu(embedder.scope('act'), await params.linear(embedder.scope('linear_1'), sinusoid, g.d, channels));
  return params.linear(embedder.scope('linear_2'), hidden, g.d, g.d);
}

/** `linear` (D -> sets x 3D) of SiLU(temb), split into sets of (shift, scale, gate). */
async function modulation(g: GraphContext, scope: GraphBuilder, activated: string, sets: number, params: Flux2ParameterStore): Promise<Modulation[]> {
  const mod = scope.op('Unsqueeze', [await params.linear(scope.scope('linear'), activated, sets * 3 * g.d, g.d), g.axis1]);
  const chunks = scope.node('Split', [mod, scope.constant(int64Tensor(new Array<number>(sets * 3).fill(g.d)))], {
    attributes: { axis: attr.int(-1) },
    outputs: sets * 3,
  });
  return Array.from({ length: sets }, (_, i) => ({
    shift: chunks[3 * i] as string,
    scalePlusOne: scope.op('Add', [chunks[3 * i + 1] as string, g.one]),
    gate: chunks[3 * i + 2] as string,
  }));
}

/**
 * cos / sin of position x frequency per RoPE axis, each frequency repeated for a channel pair,
 * computed in float64 as diffusers does, over [text ; image] ids.
 */
function ropeTables(g: GraphContext, scope: GraphBuilder, txtIds: string, imgIds: string): Rope {
  const axes = g.config.axes_dims_rope;
  const axisOfChannel: number[] = [];
  const freqOfChannel: number[] = [];
  axes.forEach((dim, axis) => {
    for (let j = 0; j < dim / 2; j++) {
      const freq = 1 / g.config.rope_theta ** ((2 * j) / dim);
      axisOfChannel.push(axis, axis);
      freqOfChannel.push(freq, freq);
    }
  });
  const ids = scope.op('Concat', [txtIds, imgIds], { axis: attr.int(0) });
  const positions = scope.op('Gather', [scope.op('Cast', [ids], { to: attr.int(DataType.DOUBLE) }), scope.constant(int64Tensor(axisOfChannel))], { axis: attr.int(1) });
  const freqs = scope.constant({ dataType: DataType.DOUBLE, dims: [freqOfChannel.length], raw: new Uint8Array(Float64Array.from(freqOfChannel).buffer) });
  const angles = scope.op('Mul', [positions, freqs]);
  const toFloat = (value: string): string => scope.op('Unsqueeze', [scope.op('Cast', [value], { to: attr.int(DataType.FLOAT) }), g.axis1]);
  const signs = Float32Array.from({ length: g.headDim }, (_, i) => (i % 2 === 0 ? -1 : 1));
  return {
    cos: toFloat(scope.op('Cos', [angles])),
    sinSigned: scope.op('Mul', [toFloat(scope.op('Sin', [angles])), scope.constant(float32Tensor(signs))]),
    swap: scope.constant(int64Tensor(Array.from({ length: g.headDim }, (_, i) => i ^ 1))),
  };
}

/** x cos + rot(x) sin with rot(x)[2i] = -x[2i+1], rot(x)[2i+1] = x[2i]; x is [batch, tokens, heads, head_dim]. */
function applyRope(scope: GraphBuilder, x: string, rope: Rope): string {
  const swapped = scope.op('Gather', [x, rope.swap], { axis: attr.int(3) });
  return scope.op('Add', [scope.op('Mul', [x, rope.cos]), scope.op('Mul', [swapped, rope.sinSigned])]);
}

/** RMSNorm over the head dim with a weight: x / sqrt(mean(x^2) + eps) * weight. */
async function rmsNorm(g: GraphContext, scope: GraphBuilder, x: string, params: Flux2ParameterStore): Promise<string> {
  const meanSquare = scope.op('ReduceMean', [scope.op('Mul', [x, x]), scope.constant(int64Tensor([-1]))], { keepdims: attr.int(1) });
  const normed = scope.op('Div', [x, scope.op('Sqrt', [scope.op('Add', [meanSquare, g.eps])])]);
  return scope.op('Mul', [normed, await params.vector(scope, 'weight', g.headDim, { kind: 'ones' })]);
}

/** Projects to heads [batch, tokens, heads, head_dim] and RMS-normalises per head. */
async function headsOf(g: GraphContext, attn: GraphBuilder, projected: string, norm: string | undefined, params: Flux2ParameterStore): Promise<string> {
  const heads = attn.op('Reshape', [projected, g.headsShape]);
  return norm === undefined ? heads : rmsNorm(g, attn.scope(norm), heads, params);
}

/** softmax(q k^T / sqrt(head_dim)) v with RoPE on q and k; inputs [batch, tokens, heads, head_dim], output [batch, tokens, D]. */
function attention(g: GraphContext, attn: GraphBuilder, q: string, k: string, v: string, rope: Rope): string {
  const qr = attn.op('Transpose', [applyRope(attn, q, rope)], { perm: attr.ints([0, 2, 1, 3]) });
  const kt = attn.op('Transpose', [applyRope(attn, k, rope)], { perm: attr.ints([0, 2, 3, 1]) });
  const vt = attn.op('Transpose', [v], { perm: attr.ints([0, 2, 1, 3]) });
  const scores = attn.op('MatMul', [attn.op('Mul', [qr, g.attentionScale]), kt]);
  const mixed = attn.op('MatMul', [attn.op('Softmax', [scores], { axis: attr.int(-1) }), vt]);
  return attn.op('Reshape', [attn.op('Transpose', [mixed], { perm: attr.ints([0, 2, 1, 3]) }), g.flatShape]);
}

/** SwiGLU: silu(first half) x second half. */
function swiglu(scope: GraphBuilder, x: string, hidden: number): string {
  const [gate, value] = scope.node('Split', [x, scope.constant(int64Tensor([hidden, hidden]))], { attributes: { axis: attr.int(-1) }, outputs: 2 }) as [string, string];
  return scope.op('Mul', [silu(scope, gate), value]);
}

async function feedForward(g: GraphContext, ff: GraphBuilder, x: string, params: Flux2ParameterStore): Promise<string> {
  const inner = await params.linear(ff.scope('linear_in'), x, 2 * g.mlp, g.d);
  return params.linear(ff.scope('linear_out'), swiglu(ff.scope('act_fn'), inner, g.mlp), g.d, g.mlp);
}

function gatedAdd(scope: GraphBuilder, x: string, gate: string, update: string): string {
  return scope.op('Add', [x, scope.op('Mul', [gate, update])]);
}

async function jointBlock(
  g: GraphContext,
  block: GraphBuilder,
  x: string,
  c: string,
  modImg: readonly Modulation[],
  modTxt: readonly Modulation[],
  rope: Rope,
  splitSizes: string,
  params: Flux2ParameterStore,
): Promise<[string, string]> {
  const [imgAttnMod, imgMlpMod] = modImg as [Modulation, Modulation];
  const [txtAttnMod, txtMlpMod] = modTxt as [Modulation, Modulation];
  const xn = modulate(block, layerNorm(g, block.scope('norm1'), x), imgAttnMod.scalePlusOne, imgAttnMod.shift);
  const cn = modulate(block, layerNorm(g, block.scope('norm1_context'), c), txtAttnMod.scalePlusOne, txtAttnMod.shift);

  const attn = block.scope('attn');
  const q = await headsOf(g, attn, await params.linear(attn.scope('to_q'), xn, g.d, g.d), 'norm_q', params);
  const k = await headsOf(g, attn, await params.linear(attn.scope('to_k'), xn, g.d, g.d), 'norm_k', params);
  const v = await headsOf(g, attn, await params.linear(attn.scope('to_v'), xn, g.d, g.d), undefined, params);
  const cq = await headsOf(g, attn, await params.linear(attn.scope('add_q_proj'), cn, g.d, g.d), 'norm_added_q', params);
  const ck = await headsOf(g, attn, await params.linear(attn.scope('add_k_proj'), cn, g.d, g.d), 'norm_added_k', params);
  const cv = await headsOf(g, attn, await params.linear(attn.scope('add_v_proj'), cn, g.d, g.d), undefined, params);
  const joined = (text: string, image: string): string => attn.op('Concat', [text, image], { axis: attr.int(1) });
  const mixed = attention(g, attn, joined(cq, q), joined(ck, k), joined(cv, v), rope);
  const [textPart, imagePart] = attn.node('Split', [mixed, splitSizes], { attributes: { axis: attr.int(1) }, outputs: 2 }) as [string, string];
  block.valueInfo(imagePart, DataType.FLOAT, ['batch', 'image_tokens', g.d]);
  const imageAttn = await params.linear(attn.scope('to_out.0'), imagePart, g.d, g.d);
  const textAttn = await params.linear(attn.scope('to_add_out'), textPart, g.d, g.d);

  let xo = gatedAdd(block, x, imgAttnMod.gate, imageAttn);
  const xf = modulate(block, layerNorm(g, block.scope('norm2'), xo), imgMlpMod.scalePlusOne, imgMlpMod.shift);
  xo = gatedAdd(block, xo, imgMlpMod.gate, await feedForward(g, block.scope('ff'), xf, params));

  let co = gatedAdd(block, c, txtAttnMod.gate, textAttn);
  const cf = modulate(block, layerNorm(g, block.scope('norm2_context'), co), txtMlpMod.scalePlusOne, txtMlpMod.shift);
  co = gatedAdd(block, co, txtMlpMod.gate, await feedForward(g, block.scope('ff_context'), cf, params));
  return [xo, co];
}

async function singleBlock(g: GraphContext, block: GraphBuilder, h: string, mod: Modulation, rope: Rope, params: Flux2ParameterStore): Promise<string> {
  const hn = modulate(block, layerNorm(g, block.scope('norm'), h), mod.scalePlusOne, mod.shift);
  const attn = block.scope('attn');
  const fused = await params.linear(attn.scope('to_qkv_mlp_proj'), hn, 3 * g.d + 2 * g.mlp, g.d);
  const [qp, kp, vp, mlpIn] = attn.node('Split', [fused, attn.constant(int64Tensor([g.d, g.d, g.d, 2 * g.mlp]))], {
    attributes: { axis: attr.int(-1) },
    outputs: 4,
  }) as [string, string, string, string];
  const q = await headsOf(g, attn, qp, 'norm_q', params);
  const k = await headsOf(g, attn, kp, 'norm_k', params);
  const v = await headsOf(g, attn, vp, undefined, params);
  const mixed = attention(g, attn, q, k, v, rope);
  const mlpOut = swiglu(attn.scope('mlp_act_fn'), mlpIn, g.mlp);
  const joined = attn.op('Concat', [mixed, mlpOut], { axis: attr.int(-1) });
  block.valueInfo(joined, DataType.FLOAT, ['batch', 'tokens', g.d + g.mlp]);
  const out = await params.linear(attn.scope('to_out'), joined, g.d, g.d + g.mlp);
  return gatedAdd(block, h, mod.gate, out);
}
