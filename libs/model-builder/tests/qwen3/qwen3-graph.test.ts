import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { encodeModel, findLinearLayers } from '@moral-plantain/hooks';
import { buildQwen3TextEncoder, qwen3Presets, seededWeights, type Qwen3TextEncoderConfig } from '../../src/index.js';
import { referenceQwen3Forward } from '@moral-plantain/references';
import { maxAbsDiff, perturbedWeights, runEncoder } from './qwen3-test-weights.js';

const tiny = qwen3Presets.tiny;

async function build(config: Qwen3TextEncoderConfig, seed = 7) {
  const weights = perturbedWeights(seed);
  const built = await buildQwen3TextEncoder(config, weights);
  if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
  const param = (name: string): Float32Array => {
    const value = weights.values.get(name);
    if (!value) throw new Error(`reference asked for ${name}, which the builder never read`);
    return value;
  };
  return { graph: built.right, param };
}

/** Token ids spread over the whole vocabulary, right-padded with <|endoftext|> (151643). */
function paddedBatch(lengths: readonly number[], seq: number): { ids: number[][]; mask: number[][] } {
  const ids = lengths.map((length, b) => Array.from({ length: seq }, (_, s) => (s < length ? (s * 7919 + b * 104729 + 13) % 151_936 : 151_643)));
  const mask = lengths.map((length) => Array.from({ length: seq }, (_, s) => (s < length ? 1 : 0)));
  return { ids, mask };
}

describe('the Qwen3 text encoder graph', () => {
  it('agrees with a direct forward pass to 1e-4 on a right-padded batch, padded positions included', async () => {
    const { graph, param } = await build(tiny);
    const { ids, mask } = paddedBatch([11, 5, 16], 16);
    const out = await runEncoder(graph.model, ids, mask);
    expect(out.dims).toEqual([3, 16, 3 * 32]);
    const reference = referenceQwen3Forward(tiny.model, param, ids, mask, tiny.outputLayers);
    expect(maxAbsDiff(out.data, reference)).toBeLessThan(1e-4);
    // Outputs are of order 1, so 1e-4 is a meaningful bound.
    expect(Math.max(...Array.from(reference, Math.abs))).toBeGreaterThan(0.5);
  });

  it('agrees with the direct pass at the full 512 tokens', async () => {
    const { graph, param } = await build(tiny, 3);
    const { ids, mask } = paddedBatch([40], 512);
    const out = await runEncoder(graph.model, ids, mask);
    expect(out.dims).toEqual([1, 512, 96]);
    expect(maxAbsDiff(out.data, referenceQwen3Forward(tiny.model, param, ids, mask, tiny.outputLayers))).toBeLessThan(1e-4);
  });

  it('returns the embedding for index 0 and raw layer outputs (no final norm) below num_hidden_layers', async () => {
    const config = { ...tiny, outputLayers: [2, 0] };
    const { graph, param } = await build(config);
    expect(graph.plan.layersRun).toBe(2);
    expect(graph.plan.finalNorm).toBe(false);
    const { ids, mask } = paddedBatch([6, 9], 9);
    const out = await runEncoder(graph.model, ids, mask);
    expect(out.dims).toEqual([2, 9, 64]);
    expect(maxAbsDiff(out.data, referenceQwen3Forward(tiny.model, param, ids, mask, [2, 0]))).toBeLessThan(1e-4);
    // Channels 32..63 of a token are exactly its embedding row.
    const embed = param('model.embed_tokens.weight');
    const id = ids[0]?.[0] ?? 0;
    expect(Array.from(out.data.subarray(32, 64))).toEqual(Array.from(embed.subarray(id * 32, id * 32 + 32)));
  });

  it('applies the final norm only for hidden_states[num_hidden_layers]', async () => {
    const { graph, param } = await build({ ...tiny, outputLayers: [3] });
    expect(graph.plan.finalNorm).toBe(true);
    const { ids, mask } = paddedBatch([5], 5);
    const out = await runEncoder(graph.model, ids, mask);
    expect(maxAbsDiff(out.data, referenceQwen3Forward(tiny.model, param, ids, mask, [3]))).toBeLessThan(1e-4);
    // Every token's vector is RMS-normalised then scaled by model.norm.weight: dividing it out leaves RMS 1.
    const norm = param('model.norm.weight');
    const row = Array.from(out.data.subarray(0, 32), (v, c) => v / (norm[c] as number));
    expect(Math.sqrt(row.reduce((s, v) => s + v * v, 0) / 32)).toBeCloseTo(1, 4);
  });

  it('gives a real token an embedding independent of the tokens after it (causal mask)', async () => {
    const { graph } = await build(tiny);
    const short = paddedBatch([7], 7);
    const long = paddedBatch([7], 20);
    const a = await runEncoder(graph.model, short.ids, short.mask);
    const b = await runEncoder(graph.model, long.ids, long.mask);
    expect(maxAbsDiff(a.data, b.data.subarray(0, 7 * 96))).toBeLessThan(1e-5);
  });

  it('runs multi-query attention (a single kv head) as well', async () => {
    // The tiny preset's 4 query / 2 kv heads are paired as HF repeat_kv does (query head h reads kv
    // head floor(h / 2)); pairing them h mod 2 instead fails the 1e-4 agreement of the first test.
    const config = { ...tiny, model: { ...tiny.model, num_key_value_heads: 1 } };
    const { graph, param } = await build(config, 11);
    const { ids, mask } = paddedBatch([8, 3], 8);
    const out = await runEncoder(graph.model, ids, mask);
    expect(maxAbsDiff(out.data, referenceQwen3Forward(config.model, param, ids, mask, config.outputLayers))).toBeLessThan(1e-4);
  });

  it('names initializers by Hugging Face parameter path and nodes by TorchScript module scope', async () => {
    const { graph } = await build(tiny);
    const initializers = graph.model.graph?.initializer.map((t) => t.name) ?? [];
    expect(initializers).toEqual(expect.arrayContaining(graph.plan.parameters.map((p) => p.name)));
    expect(initializers).toContain('model.layers.2.self_attn.q_norm.weight');
    expect(initializers).toContain('model.norm.weight');
    const q = graph.model.graph?.initializer.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight');
    expect(q?.dims.map(Number)).toEqual([32, 32]);
    const o = graph.model.graph?.initializer.find((t) => t.name === 'model.layers.0.mlp.down_proj.weight');
    expect(o?.dims.map(Number)).toEqual([32, 64]);
    const nodes = graph.model.graph?.node.map((n) => n.name) ?? [];
    expect(nodes).toEqual(
      expect.arrayContaining(['/model/embed_tokens/Gather', '/model/layers.0/self_attn/q_proj/Gemm', '/model/layers.2/mlp/down_proj/Gemm', '/model/norm/Mul']),
    );
    const linears = findLinearLayers(graph.model).map((l) => l.module);
    expect(linears).toEqual(expect.arrayContaining(['model.layers.0.self_attn.q_proj', 'model.layers.1.self_attn.o_proj', 'model.layers.2.mlp.up_proj']));
    expect(linears).toHaveLength(3 * 7);
  });

  it('builds the tiny encoder byte-identically for the same seed and differently for another', async () => {
    const bytes = async (seed: number) => {
      const built = await buildQwen3TextEncoder(tiny, seededWeights({ seed }));
      if (E.isLeft(built)) throw new Error('build failed');
      return encodeModel(built.right.model);
    };
    const a = await bytes(1);
    const b = await bytes(1);
    const c = await bytes(2);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });
});
