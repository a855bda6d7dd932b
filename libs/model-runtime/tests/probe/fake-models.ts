import * as E from 'fp-ts/lib/Either.js';
import { attr, createGraphBuilder, DataType, float32Tensor, int64Tensor, type ModelProto } from '@moral-plantain/hooks';
import type { Tokenize } from '../../src/index.js';

/**
 * Small stand-ins with the FLUX.2 transformer's and text encoder's inputs and outputs, built with
 * the hooks builder, for tests of sessions, folders, caching and the runner while the real graphs
 * are tested on their own. Every input reaches the tapped layers, so a wrong feed changes the taps.
 */
export interface FakeDims {
  readonly channels: number;
  readonly width: number;
  readonly textWidth: number;
  readonly vocab: number;
}

/** Default sizes: 8 latent channels, D = 32, text width 12, 50 token ids. */
export const FAKE_DIMS: FakeDims = { channels: 8, width: 32, textWidth: 12, vocab: 50 };

/** The fake transformer's parameters (row-major [in, out] MatMul weights), for the direct reference. */
export interface FakeWeights {
  readonly wx: Float32Array;
  readonly wi: Float32Array;
  readonly wc: Float32Array;
  readonly wt: Float32Array;
  readonly wo: Float32Array;
  readonly ws: Float32Array;
  readonly wp: Float32Array;
}

/** Deterministic weights in [-0.5, 0.5) / sqrt(fan in) from a 32-bit LCG. */
export function fakeWeights(dims: FakeDims = FAKE_DIMS, seed = 1): FakeWeights {
  let state = seed >>> 0;
  const fill = (rows: number, cols: number) => {
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < out.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = (state / 2 ** 32 - 0.5) / Math.sqrt(rows);
    }
    return out;
  };
  const { channels: c, width: d, textWidth: t } = dims;
  return { wx: fill(c, d), wi: fill(4, d), wc: fill(t, d), wt: fill(4, d), wo: fill(d, d), ws: fill(2 * d, d), wp: fill(d, c) };
}

/** Options of `fakeTransformer`. */
export interface FakeTransformerOptions {
  readonly naming?: 'diffusers' | 'bfl';
  /** Element type of the latent and text inputs (default float32). */
  readonly inputType?: 'float32' | 'float16';
  /** Declare the ids inputs with a batch axis [B, S, 4] (default false). */
  readonly batchedIds?: boolean;
  readonly dims?: FakeDims;
  readonly weights?: FakeWeights;
}

/**
 * The fake transformer: x = latents Wx + img_ids Wi + timestep; c = text Wc + txt_ids Wt;
 * h = [c ; x]; y = h Wo (`transformer_blocks.0.attn.to_out.0`, tapped input h);
 * z = [tanh(y), y] Ws (`single_transformer_blocks.0.attn.to_out`, tapped input [tanh(y), y]);
 * prediction = z Wp.
 */
export function fakeTransformer(options: FakeTransformerOptions = {}): ModelProto {
  const dims = options.dims ?? FAKE_DIMS;
  const w = options.weights ?? fakeWeights(dims);
  const names = options.naming === 'bfl' ? { x: 'x', c: 'ctx', t: 'timesteps', xi: 'x_ids', ci: 'ctx_ids', out: 'pred' } : { x: 'hidden_states', c: 'encoder_hidden_states', t: 'timestep', xi: 'img_ids', ci: 'txt_ids', out: 'noise_pred' };
  const elem = options.inputType === 'float16' ? DataType.FLOAT16 : DataType.FLOAT;
  const { channels: c, width: d, textWidth: tw } = dims;
  const b = createGraphBuilder({ name: 'fake-flux2', opset: 21 });
  const idShape = (s: string) => (options.batchedIds ? ['batch', s, 4] : [s, 4]);
  let latents = b.input(names.x, elem, ['batch', 'image_tokens', c]);
  let text = b.input(names.c, elem, ['batch', 'text_tokens', tw]);
  const timestep = b.input(names.t, DataType.FLOAT, ['batch']);
  const imgIds = b.input(names.xi, DataType.FLOAT, idShape('image_tokens'));
  const txtIds = b.input(names.ci, DataType.FLOAT, idShape('text_tokens'));
  if (elem !== DataType.FLOAT) {
    latents = b.op('Cast', [latents], { to: attr.int(DataType.FLOAT) });
    text = b.op('Cast', [text], { to: attr.int(DataType.FLOAT) });
  }
  const x0 = b.scope('x_embedder').op('MatMul', [latents, b.scope('x_embedder').parameter('weight', float32Tensor(w.wx, [c, d]))]);
  const xi = b.op('MatMul', [imgIds, b.constant(float32Tensor(w.wi, [4, d]))]);
  const t3 = b.op('Unsqueeze', [timestep, b.constant(int64Tensor(new BigInt64Array([1n, 2n]), [2]))]);
  const x = b.op('Add', [b.op('Add', [x0, xi]), t3]);
  const c0 = b.scope('context_embedder').op('MatMul', [text, b.scope('context_embedder').parameter('weight', float32Tensor(w.wc, [tw, d]))]);
  const cx = b.op('Add', [c0, b.op('MatMul', [txtIds, b.constant(float32Tensor(w.wt, [4, d]))])]);
  const h = b.op('Concat', [cx, x], { axis: attr.int(1) });
  const joint = b.scope('transformer_blocks.0').scope('attn').scope('to_out.0');
  const y = joint.op('MatMul', [h, joint.parameter('weight', float32Tensor(w.wo, [d, d]))]);
  const single = b.scope('single_transformer_blocks.0').scope('attn').scope('to_out');
  const u = b.op('Concat', [b.op('Tanh', [y]), y], { axis: attr.int(-1) });
  const z = single.op('MatMul', [u, single.parameter('weight', float32Tensor(w.ws, [2 * d, d]))]);
  const out = b.scope('proj_out').op('MatMul', [z, b.scope('proj_out').parameter('weight', float32Tensor(w.wp, [d, c]))]);
  const [prediction] = b.node('Identity', [out], { outputs: [names.out] });
  b.output(prediction!, DataType.FLOAT, ['batch', 'tokens', c]);
  return b.build();
}

/** The fake text encoder: prompt_embeds = E[input_ids] * attention_mask, E [vocab, textWidth]. */
export function fakeTextEncoder(dims: FakeDims = FAKE_DIMS, table: Float32Array = embeddingTable(dims)): ModelProto {
  const b = createGraphBuilder({ name: 'fake-text-encoder', opset: 21 });
  const ids = b.input('input_ids', DataType.INT64, ['batch', 'tokens']);
  const mask = b.input('attention_mask', DataType.INT64, ['batch', 'tokens']);
  const emb = b.scope('embed_tokens').op('Gather', [b.scope('embed_tokens').parameter('weight', float32Tensor(table, [dims.vocab, dims.textWidth])), ids], { axis: attr.int(0) });
  const m = b.op('Unsqueeze', [b.op('Cast', [mask], { to: attr.int(DataType.FLOAT) }), b.constant(int64Tensor(new BigInt64Array([2n]), [1]))]);
  const [embeds] = b.node('Mul', [emb, m], { outputs: ['prompt_embeds'] });
  b.output(embeds!, DataType.FLOAT, ['batch', 'tokens', dims.textWidth]);
  return b.build();
}

/** The fake text encoder's embedding table: entry (v, j) = sin(v + 0.37 j). */
export function embeddingTable(dims: FakeDims = FAKE_DIMS): Float32Array {
  const out = new Float32Array(dims.vocab * dims.textWidth);
  for (let v = 0; v < dims.vocab; v++) for (let j = 0; j < dims.textWidth; j++) out[v * dims.textWidth + j] = Math.sin(v + 0.37 * j);
  return out;
}

/** Char codes mod `vocab`, padded with 0 (mask 0) or truncated to `length`: the test tokenizer's tokens. */
export function charTokens(prompt: string, length = 8, vocab = FAKE_DIMS.vocab): { inputIds: Int32Array; attentionMask: Int32Array } {
  const inputIds = new Int32Array(length);
  const attentionMask = new Int32Array(length);
  for (let i = 0; i < Math.min(length, prompt.length); i++) {
    inputIds[i] = prompt.charCodeAt(i) % vocab;
    attentionMask[i] = 1;
  }
  return { inputIds, attentionMask };
}

/** A test tokenizer giving `charTokens`. */
export function charTokenizer(length = 8, vocab = FAKE_DIMS.vocab): Tokenize {
  return (prompt) => E.right(charTokens(prompt, length, vocab));
}
