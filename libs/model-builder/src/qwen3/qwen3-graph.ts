import { attr, createGraphBuilder, DataType, float32Tensor, int64Tensor, type GraphBuilder, type ModelProto } from '@moral-plantain/hooks';
import type { ParameterStore } from '../graph-weights/parameter-store.js';
import { matMulNBits } from '../quantization/matmul-nbits.js';
import type { QuantizationOptions } from '../quantization/quantization-options.js';
import type { LinearTally } from '../quantization/quantization-record.js';
import type { Qwen3TextEncoderConfig } from './qwen3-config.js';
import type { Qwen3ParameterPlan } from './qwen3-parameters.js';

/** Graph input and output names of a built Qwen3 text encoder (Hugging Face's argument names). */
export const QWEN3_IO = {
  /** Token ids [batch, sequence], int64. */
  inputIds: 'input_ids',
  /** 1 for a real token, 0 for padding, [batch, sequence], int64. */
  attentionMask: 'attention_mask',
  /** The requested hidden states concatenated along channels, [batch, sequence, layers x hidden], float32. */
  promptEmbeds: 'prompt_embeds',
} as const;

/**
 * The additive attention mask value for masked positions: float32's lowest finite value, as
 * transformers' eager attention uses (`torch.finfo(float32).min`), not -inf, so a query row with
 * every key masked gives a uniform softmax instead of NaN.
 */
export const QWEN3_MASK_VALUE = -3.4028234663852886e38;

/** How `layoutQwen3TextEncoder` lays out the linear layers. */
export interface Qwen3LinearLayout {
  /** Quantize every Linear (the attention and MLP projections of each layer) to MatMulNBits; default none (Gemm with float weights). */
  readonly quantization?: QuantizationOptions;
  /** Filled with the module path of each linear layer laid out, quantized or kept in float. */
  readonly tally: LinearTally;
}

/**
 * Lays out the text encoder graph, reading each parameter through `store` at the point the graph
 * needs it (in `plan.parameters` order), so a streaming store holds one tensor at a time.
 */
export async function layoutQwen3TextEncoder(config: Qwen3TextEncoderConfig, plan: Qwen3ParameterPlan, store: ParameterStore, name: string, linears: Qwen3LinearLayout): Promise<ModelProto> {
  const m = config.model;
  const h = m.hidden_size;
  const nh = m.num_attention_heads;
  const nkv = m.num_key_value_heads;
  const hd = m.head_dim;
  const b = createGraphBuilder({ name, opset: 21, producerName: '@moral-plantain/model-builder' });
  const root = b.scope('model');
  const f32 = (values: readonly number[], dims: readonly number[] = [values.length]): string => b.constant(float32Tensor(Float32Array.from(values), dims));
  const i64 = (values: readonly number[]): string => b.constant(int64Tensor(values));
  const i64Scalar = (value: number): string => b.constant(int64Tensor([value], []));

  const inputIds = b.input(QWEN3_IO.inputIds, DataType.INT64, ['batch', 'sequence']);
  const attentionMask = b.input(QWEN3_IO.attentionMask, DataType.INT64, ['batch', 'sequence']);

  const planned = new Map(plan.parameters.map((p) => [p.name, p]));
  // Every parameter is the `weight` of its module scope, with the shape and init the plan gives it.
  const weightOf = (scope: GraphBuilder): Promise<string> => {
    const parameter = planned.get(`${scope.modulePath}.weight`);
    if (parameter === undefined) throw new Error(`the Qwen3 parameter plan has no ${scope.modulePath}.weight`);
    return store.tensor(scope, parameter.name, parameter.shape, parameter.init);
  };

  const embedScope = root.scope('embed_tokens');
  const table = await weightOf(embedScope);
  const embeddings = embedScope.op('Gather', [table, inputIds], { axis: attr.int(0) });

  // Positions 0..S-1, the RoPE tables [S, head_dim] and the additive mask [B, 1, 1, S, S], shared by all layers.
  const rotary = root.scope('rotary_emb');
  const seqLen = rotary.op('Gather', [rotary.op('Shape', [inputIds]), i64Scalar(1)], { axis: attr.int(0) });
  const positions = rotary.op('Range', [i64Scalar(0), seqLen, i64Scalar(1)]);
  const positionsF = rotary.op('Cast', [positions], { to: attr.int(DataType.FLOAT) });
  const freqs = rotary.op('Mul', [rotary.op('Unsqueeze', [positionsF, i64([1])]), f32(Array.from(qwen3InverseFrequencies(m.rope_theta, hd)), [1, hd / 2])]);
  const angles = rotary.op('Concat', [freqs, freqs], { axis: attr.int(-1) });
  const cos = rotary.op('Cos', [angles]);
  const sin = rotary.op('Sin', [angles]);

  const maskScope = root.scope('mask');
  const causal = maskScope.op('LessOrEqual', [maskScope.op('Unsqueeze', [positions, i64([0])]), maskScope.op('Unsqueeze', [positions, i64([1])])]);
  const keyAllowed = maskScope.op('Unsqueeze', [maskScope.op('Cast', [attentionMask], { to: attr.int(DataType.BOOL) }), i64([1, 2, 3])]);
  const allowed = maskScope.op('And', [causal, keyAllowed]);
  const additiveMask = maskScope.op('Where', [allowed, f32([0], []), f32([QWEN3_MASK_VALUE], [])]);

  const rmsNorm = async (scope: GraphBuilder, x: string): Promise<string> => {
    const w = await weightOf(scope);
    const variance = scope.op('ReduceMean', [scope.op('Mul', [x, x]), i64([-1])], { keepdims: attr.int(1) });
    const inverse = scope.op('Reciprocal', [scope.op('Sqrt', [scope.op('Add', [variance, f32([m.rms_norm_eps], [])])])]);
    return scope.op('Mul', [w, scope.op('Mul', [x, inverse])]);
  };
  // Linear as Gemm with transB over [B x S, in] rows: the weight stays in torch layout [out, in]
  // with no Transpose for ONNX Runtime to fold (which doubles weight memory at session start).
  const batchSeq = linears.quantization ? '' : root.op('Shape', [inputIds]);
  const outShapes = new Map<number, string>();
  const outShape = (out: number): string => {
    const known = outShapes.get(out);
    if (known !== undefined) return known;
    const shape = root.op('Concat', [batchSeq, i64([out])], { axis: attr.int(0) });
    outShapes.set(out, shape);
    return shape;
  };
  const linear = async (scope: GraphBuilder, x: string, out: number, inp: number): Promise<string> => {
    if (linears.quantization) {
      // MatMulNBits takes [..., K] directly: no reshape to rows.
      const parameter = planned.get(`${scope.modulePath}.weight`);
      if (parameter === undefined) throw new Error(`the Qwen3 parameter plan has no ${scope.modulePath}.weight`);
      linears.tally.quantized.push(scope.modulePath);
      return matMulNBits(scope, x, await store.quantized(scope, parameter.name, [out, inp], parameter.init, linears.quantization));
    }
    linears.tally.float.push(scope.modulePath);
    const w = await weightOf(scope);
    const rows = scope.op('Reshape', [x, i64([-1, inp])]);
    return scope.op('Reshape', [scope.op('Gemm', [rows, w], { transB: attr.int(1) }), outShape(out)]);
  };
  const rope = (scope: GraphBuilder, x: string): string => {
    const [x1, x2] = scope.node('Split', [x], { outputs: 2, attributes: { axis: attr.int(-1), num_outputs: attr.int(2) } }) as [string, string];
    const rotated = scope.op('Concat', [scope.op('Neg', [x2]), x1], { axis: attr.int(-1) });
    return scope.op('Add', [scope.op('Mul', [x, cos]), scope.op('Mul', [rotated, sin])]);
  };

  const states: string[] = [embeddings];
  let hidden = embeddings;
  for (let layer = 0; layer < plan.layersRun; layer++) {
    const scope = root.scope(`layers.${layer}`);
    const attn = scope.scope('self_attn');
    const normed = await rmsNorm(scope.scope('input_layernorm'), hidden);
    // q: [B, S, nh, hd] -> per-head RMSNorm -> [B, nh, S, hd] -> RoPE -> [B, nkv, nh / nkv, S, hd] so query head h reads kv head h / (nh / nkv).
    const heads = async (proj: string, count: number): Promise<string> => attn.op('Reshape', [await linear(attn.scope(proj), normed, count * hd, h), i64([0, 0, count, hd])]);
    const toHeadsFirst = (x: string): string => attn.op('Transpose', [x], { perm: attr.ints([0, 2, 1, 3]) });
    const q = rope(attn, toHeadsFirst(await rmsNorm(attn.scope('q_norm'), await heads('q_proj', nh))));
    const k = rope(attn, toHeadsFirst(await rmsNorm(attn.scope('k_norm'), await heads('k_proj', nkv))));
    const v = toHeadsFirst(await heads('v_proj', nkv));
    const qGrouped = attn.op('Reshape', [q, i64([0, nkv, nh / nkv, -1, hd])]);
    const kT = attn.op('Transpose', [attn.op('Unsqueeze', [k, i64([2])])], { perm: attr.ints([0, 1, 2, 4, 3]) });
    const scores = attn.op('Add', [attn.op('Mul', [attn.op('MatMul', [qGrouped, kT]), f32([hd ** -0.5], [])]), additiveMask]);
    const probs = attn.op('Softmax', [scores], { axis: attr.int(-1) });
    const context = attn.op('MatMul', [probs, attn.op('Unsqueeze', [v, i64([2])])]);
    const merged = attn.op('Reshape', [attn.op('Transpose', [attn.op('Reshape', [context, i64([0, nh, -1, hd])])], { perm: attr.ints([0, 2, 1, 3]) }), i64([0, 0, nh * hd])]);
    hidden = scope.op('Add', [hidden, await linear(attn.scope('o_proj'), merged, h, nh * hd)]);

    const mlp = scope.scope('mlp');
    const mlpIn = await rmsNorm(scope.scope('post_attention_layernorm'), hidden);
    const gate = await linear(mlp.scope('gate_proj'), mlpIn, m.intermediate_size, h);
    const act = mlp.scope('act_fn');
    const activated = act.op('Mul', [gate, act.op('Sigmoid', [gate])]);
    const up = await linear(mlp.scope('up_proj'), mlpIn, m.intermediate_size, h);
    hidden = scope.op('Add', [hidden, await linear(mlp.scope('down_proj'), mlp.op('Mul', [activated, up]), h, m.intermediate_size)]);
    states.push(hidden);
  }
  if (plan.finalNorm) states[m.num_hidden_layers] = await rmsNorm(root.scope('norm'), hidden);

  const selected = config.outputLayers.map((index) => states[index] as string);
  b.node('Concat', selected, { outputs: [QWEN3_IO.promptEmbeds], attributes: { axis: attr.int(-1) }, name: '/Concat' });
  b.output(QWEN3_IO.promptEmbeds, DataType.FLOAT, ['batch', 'sequence', config.outputLayers.length * h]);
  return b.build();
}

/**
 * RoPE inverse frequencies 1 / theta^(2i / head_dim), i < head_dim / 2, rounded through float32 at
 * each step as transformers computes them (`base ** (arange(0, dim, 2).float() / dim)` in float32).
 */
export function qwen3InverseFrequencies(theta: number, headDim: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(1 / Math.fround(Math.fround(theta) ** Math.fround((2 * i) / headDim)));
  return out;
}
