/**
 * A direct Qwen3 forward pass on typed arrays (float64 accumulation), written from the Hugging Face
 * definition (`modeling_qwen3.py`) independently of the ONNX builder: it names its own parameters,
 * computes its own layer needs and its own hidden_states indexing. Test code only.
 */

/** The architecture numbers the reference needs (Hugging Face config.json keys). */
export interface ReferenceQwen3Config {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly head_dim: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
}

/**
 * Returns, for each sample, HF `hidden_states[i]` for every i in `outputLayers`, concatenated along
 * channels: [batch, seq, outputLayers.length x hidden] as a flat Float64Array.
 * `param(name)` gives a parameter in torch layout ([out, in] for Linear).
 */
export function referenceQwen3Forward(
  config: ReferenceQwen3Config,
  param: (name: string) => Float32Array,
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[],
  outputLayers: readonly number[],
): Float64Array {
  const batch = inputIds.length;
  const seq = inputIds[0]?.length ?? 0;
  const width = config.hidden_size;
  const out = new Float64Array(batch * seq * outputLayers.length * width);
  for (let b = 0; b < batch; b++) {
    const states = hiddenStates(config, param, inputIds[b] ?? [], attentionMask[b] ?? [], Math.max(...outputLayers));
    for (let s = 0; s < seq; s++) {
      outputLayers.forEach((index, slot) => {
        const state = states[index] as Float64Array;
        for (let c = 0; c < width; c++) out[((b * seq + s) * outputLayers.length + slot) * width + c] = state[s * width + c] as number;
      });
    }
  }
  return out;
}

/** hidden_states[0..upTo] of one sample, each [seq, hidden]. */
function hiddenStates(config: ReferenceQwen3Config, param: (name: string) => Float32Array, ids: readonly number[], mask: readonly number[], upTo: number): Float64Array[] {
  const H = config.hidden_size;
  const S = ids.length;
  const nh = config.num_attention_heads;
  const nkv = config.num_key_value_heads;
  const hd = config.head_dim;
  const groups = nh / nkv;
  const embed = param('model.embed_tokens.weight');
  let x: Float64Array = new Float64Array(S * H);
  ids.forEach((id, s) => {
    for (let c = 0; c < H; c++) x[s * H + c] = embed[id * H + c] as number;
  });
  const states: Float64Array[] = [x];
  const layersNeeded = upTo; // hidden_states[i] is the output of layer i - 1
  for (let layer = 0; layer < layersNeeded; layer++) {
    const p = `model.layers.${layer}`;
    const xn = rmsRows(x, H, param(`${p}.input_layernorm.weight`), config.rms_norm_eps);
    const q = linear(xn, S, param(`${p}.self_attn.q_proj.weight`), nh * hd, H);
    const k = linear(xn, S, param(`${p}.self_attn.k_proj.weight`), nkv * hd, H);
    const v = linear(xn, S, param(`${p}.self_attn.v_proj.weight`), nkv * hd, H);
    const qn = rmsRows(q, hd, param(`${p}.self_attn.q_norm.weight`), config.rms_norm_eps);
    const kn = rmsRows(k, hd, param(`${p}.self_attn.k_norm.weight`), config.rms_norm_eps);
    applyRope(qn, S, nh, hd, config.rope_theta);
    applyRope(kn, S, nkv, hd, config.rope_theta);
    const context = new Float64Array(S * nh * hd);
    const scores = new Float64Array(S);
    for (let head = 0; head < nh; head++) {
      const kvHead = Math.floor(head / groups);
      for (let i = 0; i < S; i++) {
        const allowed: boolean[] = [];
        for (let j = 0; j < S; j++) {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += (qn[(i * nh + head) * hd + d] as number) * (kn[(j * nkv + kvHead) * hd + d] as number);
          scores[j] = dot / Math.sqrt(hd);
          allowed.push(j <= i && mask[j] !== 0);
        }
        // A row with no allowed key (only possible for an all-padding sample) is uniform, as with HF's finite mask value.
        const anyAllowed = allowed.some(Boolean);
        let max = -Infinity;
        for (let j = 0; j < S; j++) if (allowed[j] || !anyAllowed) max = Math.max(max, anyAllowed ? (scores[j] as number) : 0);
        let total = 0;
        const weights = new Float64Array(S);
        for (let j = 0; j < S; j++) {
          weights[j] = anyAllowed ? (allowed[j] ? Math.exp((scores[j] as number) - max) : 0) : 1;
          total += weights[j] as number;
        }
        for (let j = 0; j < S; j++) {
          const w = (weights[j] as number) / total;
          if (w === 0) continue;
          for (let d = 0; d < hd; d++) context[(i * nh + head) * hd + d] = (context[(i * nh + head) * hd + d] as number) + w * (v[(j * nkv + kvHead) * hd + d] as number);
        }
      }
    }
    const attnOut = linear(context, S, param(`${p}.self_attn.o_proj.weight`), H, nh * hd);
    x = add(x, attnOut);
    const xn2 = rmsRows(x, H, param(`${p}.post_attention_layernorm.weight`), config.rms_norm_eps);
    const I = config.intermediate_size;
    const gate = linear(xn2, S, param(`${p}.mlp.gate_proj.weight`), I, H);
    const up = linear(xn2, S, param(`${p}.mlp.up_proj.weight`), I, H);
    const act = new Float64Array(S * I);
    for (let i = 0; i < act.length; i++) {
      const g = gate[i] as number;
      act[i] = (g / (1 + Math.exp(-g))) * (up[i] as number);
    }
    x = add(x, linear(act, S, param(`${p}.mlp.down_proj.weight`), H, I));
    states.push(x);
  }
  // The last entry of HF hidden_states (index = num_hidden_layers) is taken after the final norm.
  if (upTo === config.num_hidden_layers) states[upTo] = rmsRows(x, H, param('model.norm.weight'), config.rms_norm_eps);
  return states;
}

function rmsRows(x: Float64Array, width: number, weight: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let row = 0; row < x.length / width; row++) {
    let sum = 0;
    for (let c = 0; c < width; c++) sum += (x[row * width + c] as number) ** 2;
    const inv = 1 / Math.sqrt(sum / width + eps);
    for (let c = 0; c < width; c++) out[row * width + c] = (weight[c] as number) * (x[row * width + c] as number) * inv;
  }
  return out;
}

function linear(x: Float64Array, rows: number, w: Float32Array, out: number, inp: number): Float64Array {
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let sum = 0;
      for (let i = 0; i < inp; i++) sum += (x[r * inp + i] as number) * (w[o * inp + i] as number);
      y[r * out + o] = sum;
    }
  }
  return y;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((value, i) => value + (b[i] as number));
}

/** rotate_half RoPE: channel d pairs with d + hd/2; angles in float32 as transformers computes them. */
function applyRope(x: Float64Array, seq: number, heads: number, hd: number, theta: number): void {
  const half = hd / 2;
  for (let s = 0; s < seq; s++) {
    for (let d = 0; d < half; d++) {
      const invFreq = Math.fround(1 / Math.fround(Math.fround(theta) ** Math.fround((2 * d) / hd)));
      const angle = Math.fround(s * invFreq);
      const c = Math.fround(Math.cos(angle));
      const sn = Math.fround(Math.sin(angle));
      for (let h = 0; h < heads; h++) {
        const base = (s * heads + h) * hd;
        const a = x[base + d] as number;
        const b = x[base + d + half] as number;
        x[base + d] = a * c - b * sn;
        x[base + d + half] = b * c + a * sn;
      }
    }
  }
}
