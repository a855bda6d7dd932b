/**
 * A direct implementation of the FLUX.2 transformer forward pass (diffusers'
 * `Flux2Transformer2DModel.forward`) on typed arrays, in float64, written from the diffusers source
 * and flux2-architecture.md without looking at the ONNX builder. Test code only: it checks the
 * graph builder. Parameters are read by their diffusers names in torch layout ([out, in]).
 */
import * as E from 'fp-ts/lib/Either.js';

/** The FLUX.2 config keys the reference reads (diffusers `config.json` names). */
export interface ReferenceFlux2Config {
  readonly num_layers: number;
  readonly num_single_layers: number;
  readonly num_attention_heads: number;
  readonly attention_head_dim: number;
  readonly joint_attention_dim: number;
  readonly mlp_ratio: number;
  readonly in_channels: number;
  readonly out_channels: number | null;
  readonly patch_size: number;
  readonly axes_dims_rope: readonly number[];
  readonly rope_theta: number;
  readonly timestep_guidance_channels: number;
  readonly eps: number;
  readonly guidance_embeds: boolean;
}

/** How a parameter would be initialised by a seeded source (passed through to `read`). */
export type ReferenceInit = { readonly kind: 'linear'; readonly fanIn: number } | { readonly kind: 'embedding' } | { readonly kind: 'ones' } | { readonly kind: 'zeros' };

/** Where the reference reads parameters: by diffusers name and torch shape, as float32. */
export interface ReferenceWeights {
  read(name: string, shape: readonly number[], init: ReferenceInit): Promise<E.Either<unknown, Float32Array>>;
}

/** Inputs of one forward call. */
export interface Flux2ReferenceInputs {
  readonly batch: number;
  readonly imageTokens: number;
  readonly textTokens: number;
  /** [batch, imageTokens, in_channels] */
  readonly hiddenStates: Float32Array;
  /** [batch, textTokens, joint_attention_dim] */
  readonly encoderHiddenStates: Float32Array;
  /** [batch], sigma in [0, 1] */
  readonly timestep: Float32Array;
  /** [batch], only for configs with guidance_embeds */
  readonly guidance?: Float32Array;
  /** [imageTokens, axes] */
  readonly imgIds: readonly (readonly number[])[];
  /** [textTokens, axes] */
  readonly txtIds: readonly (readonly number[])[];
  /**
   * Channel scales of attention output projection inputs, by module path: [batch, width] row-major,
   * multiplying the layer's input (every token of sample b by row b) before the projection reads
   * it. Modules not named are not scaled.
   */
  readonly toOutScales?: ReadonlyMap<string, Float64Array>;
}

/** The velocity prediction and the inputs of every attention output projection. */
export interface Flux2ReferenceResult {
  /** [batch, imageTokens, patch^2 x out_channels] */
  readonly noisePred: Float64Array;
  /** Module path (`transformer_blocks.0.attn.to_out.0`) -> the layer's input [batch, tokens, width], after any `toOutScales`. */
  readonly toOutInputs: ReadonlyMap<string, { readonly data: Float64Array; readonly tokens: number; readonly width: number }>;
}

/** Runs the forward pass. */
export async function flux2Reference(config: ReferenceFlux2Config, weights: ReferenceWeights, inputs: Flux2ReferenceInputs): Promise<Flux2ReferenceResult> {
  const D = config.num_attention_heads * config.attention_head_dim;
  const H = config.num_attention_heads;
  const Dh = config.attention_head_dim;
  const M = Math.floor(D * config.mlp_ratio);
  const eps = config.eps;
  const { batch: B, imageTokens: Si, textTokens: St } = inputs;
  const S = St + Si;
  const read = async (name: string, shape: number[], init: ReferenceInit): Promise<Float32Array> => {
    const result = await weights.read(name, shape, init);
    if (E.isLeft(result)) throw new Error(`reference: cannot read ${name}: ${JSON.stringify(result.left)}`);
    return result.right;
  };
  const lin = async (name: string, x: Float64Array, rows: number, inF: number, outF: number): Promise<Float64Array> =>
    linear(x, rows, inF, await read(`${name}.weight`, [outF, inF], { kind: 'linear', fanIn: inF }), outF);

  // Timestep embedding: t*1000, sinusoid [cos, sin] with float32 frequencies (as torch computes them).
  const embed = async (embedder: string, values: Float32Array): Promise<Float64Array> => {
    const C = config.timestep_guidance_channels;
    const half = C / 2;
    const proj = new Float64Array(B * C);
    for (let b = 0; b < B; b++) {
      const t = Math.fround((values[b] as number) * 1000);
      for (let i = 0; i < half; i++) {
        const exponent = Math.fround(Math.fround(Math.fround(-Math.log(10000)) * i) / half);
        const arg = Math.fround(t * Math.fround(Math.exp(exponent)));
        proj[b * C + i] = Math.cos(arg);
        proj[b * C + half + i] = Math.sin(arg);
      }
    }
    const h1 = silu(await lin(`time_guidance_embed.${embedder}.linear_1`, proj, B, C, D));
    return lin(`time_guidance_embed.${embedder}.linear_2`, h1, B, D, D);
  };
  const temb = await embed('timestep_embedder', inputs.timestep);
  if (config.guidance_embeds) {
    if (!inputs.guidance) throw new Error('reference: this config needs a guidance input');
    const g = await embed('guidance_embedder', inputs.guidance);
    for (let i = 0; i < temb.length; i++) temb[i] = (temb[i] as number) + (g[i] as number);
  }
  const tembAct = silu(Float64Array.from(temb));
  // Modulation params: chunk i of the linear output, per sample: [B, D].
  const modulation = async (name: string, sets: number): Promise<Float64Array[]> => {
    const mod = await lin(`${name}.linear`, tembAct, B, D, 3 * sets * D);
    return Array.from({ length: 3 * sets }, (_, chunk) => {
      const out = new Float64Array(B * D);
      for (let b = 0; b < B; b++) for (let j = 0; j < D; j++) out[b * D + j] = mod[b * 3 * sets * D + chunk * D + j] as number;
      return out;
    });
  };
  // Order in diffusers: (shift, scale, gate) per set.
  const [iShiftA, iScaleA, iGateA, iShiftM, iScaleM, iGateM] = (await modulation('double_stream_modulation_img', 2)) as Float64Array[];
  const [tShiftA, tScaleA, tGateA, tShiftM, tScaleM, tGateM] = (await modulation('double_stream_modulation_txt', 2)) as Float64Array[];
  const [sShift, sScale, sGate] = (await modulation('single_stream_modulation', 1)) as Float64Array[];

  let x = await lin('x_embedder', Float64Array.from(inputs.hiddenStates), B * Si, config.in_channels, D);
  let c = await lin('context_embedder', Float64Array.from(inputs.encoderHiddenStates), B * St, config.joint_attention_dim, D);

  // RoPE tables over [text ; image]: per axis, freq_j = 1 / theta^(2j/dim), each repeated for a channel pair.
  const ids = [...inputs.txtIds, ...inputs.imgIds];
  const cos = new Float64Array(S * Dh);
  const sin = new Float64Array(S * Dh);
  for (let s = 0; s < S; s++) {
    let channel = 0;
    config.axes_dims_rope.forEach((dim, axis) => {
      for (let j = 0; j < dim / 2; j++) {
        const angle = ((ids[s] as readonly number[])[axis] as number) * (1 / config.rope_theta ** ((2 * j) / dim));
        for (const k of [0, 1]) {
          cos[s * Dh + channel + k] = Math.fround(Math.cos(angle));
          sin[s * Dh + channel + k] = Math.fround(Math.sin(angle));
        }
        channel += 2;
      }
    });
  }
  const toOutInputs = new Map<string, { data: Float64Array; tokens: number; width: number }>();

  // Attention over q, k, v [B, S, H, Dh] (already joined text-first), RoPE on q and k.
  const attend = (q: Float64Array, k: Float64Array, v: Float64Array): Float64Array => {
    applyRope(q, B, S, H, Dh, cos, sin);
    applyRope(k, B, S, H, Dh, cos, sin);
    const out = new Float64Array(B * S * D);
    const scores = new Float64Array(S);
    const scale = 1 / Math.sqrt(Dh);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < S; i++) {
          const qBase = ((b * S + i) * H + h) * Dh;
          let max = -Infinity;
          for (let j = 0; j < S; j++) {
            const kBase = ((b * S + j) * H + h) * Dh;
            let dot = 0;
            for (let e = 0; e < Dh; e++) dot += (q[qBase + e] as number) * (k[kBase + e] as number);
            scores[j] = dot * scale;
            if ((scores[j] as number) > max) max = scores[j] as number;
          }
          let total = 0;
          for (let j = 0; j < S; j++) {
            scores[j] = Math.exp((scores[j] as number) - max);
            total += scores[j] as number;
          }
          const oBase = (b * S + i) * D + h * Dh;
          for (let j = 0; j < S; j++) {
            const p = (scores[j] as number) / total;
            const vBase = ((b * S + j) * H + h) * Dh;
            for (let e = 0; e < Dh; e++) out[oBase + e] = (out[oBase + e] as number) + p * (v[vBase + e] as number);
          }
        }
      }
    }
    return out;
  };
  const qkNorm = async (name: string, x0: Float64Array, rows: number): Promise<Float64Array> =>
    rmsNormHeads(x0, rows * H, Dh, await read(`${name}.weight`, [Dh], { kind: 'ones' }), eps);
  const feedForward = async (name: string, x0: Float64Array, rows: number): Promise<Float64Array> =>
    lin(`${name}.linear_out`, swiglu(await lin(`${name}.linear_in`, x0, rows, D, 2 * M), rows, M), rows, M, D);

  for (let n = 0; n < config.num_layers; n++) {
    const p = `transformer_blocks.${n}`;
    const xn = modulate(layerNorm(x, B * Si, D, eps), B, Si, D, iScaleA as Float64Array, iShiftA as Float64Array);
    const cn = modulate(layerNorm(c, B * St, D, eps), B, St, D, tScaleA as Float64Array, tShiftA as Float64Array);
    const q = await qkNorm(`${p}.attn.norm_q`, await lin(`${p}.attn.to_q`, xn, B * Si, D, D), B * Si);
    const k = await qkNorm(`${p}.attn.norm_k`, await lin(`${p}.attn.to_k`, xn, B * Si, D, D), B * Si);
    const v = await lin(`${p}.attn.to_v`, xn, B * Si, D, D);
    const cq = await qkNorm(`${p}.attn.norm_added_q`, await lin(`${p}.attn.add_q_proj`, cn, B * St, D, D), B * St);
    const ck = await qkNorm(`${p}.attn.norm_added_k`, await lin(`${p}.attn.add_k_proj`, cn, B * St, D, D), B * St);
    const cv = await lin(`${p}.attn.add_v_proj`, cn, B * St, D, D);
    const mixed = attend(concatTokens(cq, q, B, St, Si, D), concatTokens(ck, k, B, St, Si, D), concatTokens(cv, v, B, St, Si, D));
    const [textPart, imagePart] = splitTokens(mixed, B, St, Si, D);
    scaleChannels(imagePart, inputs.toOutScales?.get(`${p}.attn.to_out.0`), B, Si, D);
    toOutInputs.set(`${p}.attn.to_out.0`, { data: imagePart, tokens: Si, width: D });
    const imageAttn = await lin(`${p}.attn.to_out.0`, imagePart, B * Si, D, D);
    const textAttn = await lin(`${p}.attn.to_add_out`, textPart, B * St, D, D);
    x = gatedAdd(x, imageAttn, iGateA as Float64Array, B, Si, D);
    const xf = modulate(layerNorm(x, B * Si, D, eps), B, Si, D, iScaleM as Float64Array, iShiftM as Float64Array);
    x = gatedAdd(x, await feedForward(`${p}.ff`, xf, B * Si), iGateM as Float64Array, B, Si, D);
    c = gatedAdd(c, textAttn, tGateA as Float64Array, B, St, D);
    const cf = modulate(layerNorm(c, B * St, D, eps), B, St, D, tScaleM as Float64Array, tShiftM as Float64Array);
    c = gatedAdd(c, await feedForward(`${p}.ff_context`, cf, B * St), tGateM as Float64Array, B, St, D);
  }

  let hs = concatTokens(c, x, B, St, Si, D);
  for (let n = 0; n < config.num_single_layers; n++) {
    const p = `single_transformer_blocks.${n}.attn`;
    const hn = modulate(layerNorm(hs, B * S, D, eps), B, S, D, sScale as Float64Array, sShift as Float64Array);
    const W = 3 * D + 2 * M;
    const fused = await lin(`${p}.to_qkv_mlp_proj`, hn, B * S, D, W);
    const q = new Float64Array(B * S * D);
    const k = new Float64Array(B * S * D);
    const v = new Float64Array(B * S * D);
    const mlpIn = new Float64Array(B * S * 2 * M);
    for (let r = 0; r < B * S; r++) {
      q.set(fused.subarray(r * W, r * W + D), r * D);
      k.set(fused.subarray(r * W + D, r * W + 2 * D), r * D);
      v.set(fused.subarray(r * W + 2 * D, r * W + 3 * D), r * D);
      mlpIn.set(fused.subarray(r * W + 3 * D, (r + 1) * W), r * 2 * M);
    }
    const attnOut = attend(await qkNorm(`${p}.norm_q`, q, B * S), await qkNorm(`${p}.norm_k`, k, B * S), v);
    const mlpOut = swiglu(mlpIn, B * S, M);
    const joined = new Float64Array(B * S * (D + M));
    for (let r = 0; r < B * S; r++) {
      joined.set(attnOut.subarray(r * D, (r + 1) * D), r * (D + M));
      joined.set(mlpOut.subarray(r * M, (r + 1) * M), r * (D + M) + D);
    }
    scaleChannels(joined, inputs.toOutScales?.get(`${p}.to_out`), B, S, D + M);
    toOutInputs.set(`${p}.to_out`, { data: joined, tokens: S, width: D + M });
    hs = gatedAdd(hs, await lin(`${p}.to_out`, joined, B * S, D + M, D), sGate as Float64Array, B, S, D);
  }

  // Image tokens, norm_out (AdaLayerNormContinuous: scale first, then shift), proj_out.
  const image = splitTokens(hs, B, St, Si, D)[1];
  const normMod = await lin('norm_out.linear', tembAct, B, D, 2 * D);
  const scale = new Float64Array(B * D);
  const shift = new Float64Array(B * D);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < D; j++) {
      scale[b * D + j] = normMod[b * 2 * D + j] as number;
      shift[b * D + j] = normMod[b * 2 * D + D + j] as number;
    }
  }
  const outChannels = config.patch_size * config.patch_size * (config.out_channels ?? config.in_channels);
  const noisePred = await lin('proj_out', modulate(layerNorm(image, B * Si, D, eps), B, Si, D, scale, shift), B * Si, D, outChannels);
  return { noisePred, toOutInputs };
}

/** Multiplies every token of sample b of x [B, S, W] by row b of scales [B, W], in place; no scales, no change. */
function scaleChannels(x: Float64Array, scales: Float64Array | undefined, B: number, S: number, W: number): void {
  if (scales === undefined) return;
  if (scales.length !== B * W) throw new Error(`reference: channel scales have ${scales.length} values, expected ${B} x ${W}`);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      for (let j = 0; j < W; j++) x[(b * S + s) * W + j] = (x[(b * S + s) * W + j] as number) * (scales[b * W + j] as number);
    }
  }
}

function linear(x: Float64Array, rows: number, inF: number, w: Float32Array, outF: number): Float64Array {
  const out = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let sum = 0;
      for (let i = 0; i < inF; i++) sum += (x[r * inF + i] as number) * (w[o * inF + i] as number);
      out[r * outF + o] = sum;
    }
  }
  return out;
}

function silu(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) / (1 + Math.exp(-(x[i] as number)));
  return x;
}

function swiglu(x: Float64Array, rows: number, hidden: number): Float64Array {
  const out = new Float64Array(rows * hidden);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < hidden; j++) {
      const a = x[r * 2 * hidden + j] as number;
      out[r * hidden + j] = (a / (1 + Math.exp(-a))) * (x[r * 2 * hidden + hidden + j] as number);
    }
  }
  return out;
}

function layerNorm(x: Float64Array, rows: number, width: number, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < width; j++) mean += x[r * width + j] as number;
    mean /= width;
    let variance = 0;
    for (let j = 0; j < width; j++) variance += ((x[r * width + j] as number) - mean) ** 2;
    variance /= width;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < width; j++) out[r * width + j] = ((x[r * width + j] as number) - mean) * inv;
  }
  return out;
}

/** (1 + scale) * x + shift, with per-sample scale/shift [B, D]. */
function modulate(x: Float64Array, B: number, S: number, D: number, scale: Float64Array, shift: Float64Array): Float64Array {
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      for (let j = 0; j < D; j++) {
        const i = (b * S + s) * D + j;
        x[i] = (1 + (scale[b * D + j] as number)) * (x[i] as number) + (shift[b * D + j] as number);
      }
    }
  }
  return x;
}

function gatedAdd(x: Float64Array, update: Float64Array, gate: Float64Array, B: number, S: number, D: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      for (let j = 0; j < D; j++) {
        const i = (b * S + s) * D + j;
        out[i] = (x[i] as number) + (gate[b * D + j] as number) * (update[i] as number);
      }
    }
  }
  return out;
}

function rmsNormHeads(x: Float64Array, rows: number, width: number, weight: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let ms = 0;
    for (let j = 0; j < width; j++) ms += (x[r * width + j] as number) ** 2;
    const inv = 1 / Math.sqrt(ms / width + eps);
    for (let j = 0; j < width; j++) out[r * width + j] = (x[r * width + j] as number) * inv * (weight[j] as number);
  }
  return out;
}

/** out = x cos + rot(x) sin, rot pairing (2i, 2i+1) -> (-x[2i+1], x[2i]) (diffusers' apply_rotary_emb, use_real_unbind_dim=-1). */
function applyRope(x: Float64Array, B: number, S: number, H: number, Dh: number, cos: Float64Array, sin: Float64Array): void {
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      for (let h = 0; h < H; h++) {
        const base = ((b * S + s) * H + h) * Dh;
        for (let i = 0; i < Dh; i += 2) {
          const re = x[base + i] as number;
          const im = x[base + i + 1] as number;
          x[base + i] = re * (cos[s * Dh + i] as number) - im * (sin[s * Dh + i] as number);
          x[base + i + 1] = im * (cos[s * Dh + i + 1] as number) + re * (sin[s * Dh + i + 1] as number);
        }
      }
    }
  }
}

function concatTokens(first: Float64Array, second: Float64Array, B: number, S1: number, S2: number, D: number): Float64Array {
  const out = new Float64Array(B * (S1 + S2) * D);
  for (let b = 0; b < B; b++) {
    out.set(first.subarray(b * S1 * D, (b + 1) * S1 * D), b * (S1 + S2) * D);
    out.set(second.subarray(b * S2 * D, (b + 1) * S2 * D), (b * (S1 + S2) + S1) * D);
  }
  return out;
}

function splitTokens(x: Float64Array, B: number, S1: number, S2: number, D: number): [Float64Array, Float64Array] {
  const first = new Float64Array(B * S1 * D);
  const second = new Float64Array(B * S2 * D);
  for (let b = 0; b < B; b++) {
    first.set(x.subarray(b * (S1 + S2) * D, (b * (S1 + S2) + S1) * D), b * S1 * D);
    second.set(x.subarray((b * (S1 + S2) + S1) * D, (b + 1) * (S1 + S2) * D), b * S2 * D);
  }
  return [first, second];
}
