import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, type SafetensorsTensor } from '@moral-plantain/formats';
import { buildQwen3TextEncoder, checkpointWeights, qwen3Presets, seededTensor, type WeightInit } from '../../src/index.js';
import { referenceQwen3Forward } from '@moral-plantain/references';
import { maxAbsDiff, runEncoder } from './qwen3-test-weights.js';

const tiny = qwen3Presets.tiny;
const m = tiny.model;
const temp = mkdtempSync(join(tmpdir(), 'qwen3-ckpt-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every tensor of a full tiny Qwen3ForCausalLM checkpoint (3 layers, final norm, untied lm_head), torch layout. */
function fullCheckpoint(): { tensors: Map<string, Float32Array>; shapes: Map<string, readonly number[]> } {
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, readonly number[]>();
  const add = (name: string, shape: number[], init: WeightInit): void => {
    const values = seededTensor(5, name, shape, init);
    shapes.set(name, shape);
    // Norm scales away from 1 so a norm read from the wrong tensor shows.
    tensors.set(name, init.kind === 'ones' ? values.map((_, i) => 1 + 0.05 * ((i % 7) - 3)) : values);
  };
  const h = m.hidden_size;
  const q = m.num_attention_heads * m.head_dim;
  const kv = m.num_key_value_heads * m.head_dim;
  add('model.embed_tokens.weight', [m.vocab_size, h], { kind: 'embedding' });
  for (let l = 0; l < m.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [h], { kind: 'ones' });
    add(`${p}.self_attn.q_proj.weight`, [q, h], { kind: 'linear', fanIn: h });
    add(`${p}.self_attn.k_proj.weight`, [kv, h], { kind: 'linear', fanIn: h });
    add(`${p}.self_attn.v_proj.weight`, [kv, h], { kind: 'linear', fanIn: h });
    add(`${p}.self_attn.q_norm.weight`, [m.head_dim], { kind: 'ones' });
    add(`${p}.self_attn.k_norm.weight`, [m.head_dim], { kind: 'ones' });
    add(`${p}.self_attn.o_proj.weight`, [h, q], { kind: 'linear', fanIn: q });
    add(`${p}.post_attention_layernorm.weight`, [h], { kind: 'ones' });
    add(`${p}.mlp.gate_proj.weight`, [m.intermediate_size, h], { kind: 'linear', fanIn: h });
    add(`${p}.mlp.up_proj.weight`, [m.intermediate_size, h], { kind: 'linear', fanIn: h });
    add(`${p}.mlp.down_proj.weight`, [h, m.intermediate_size], { kind: 'linear', fanIn: m.intermediate_size });
  }
  add('model.norm.weight', [h], { kind: 'ones' });
  add('lm_head.weight', [m.vocab_size, h], { kind: 'linear', fanIn: h });
  return { tensors, shapes };
}

function writeCheckpoint(name: string, tensors: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, readonly number[]>): string {
  const entries = new Map<string, SafetensorsTensor>();
  for (const [key, values] of tensors) entries.set(key, { dtype: 'F32', shape: shapes.get(key) ?? [values.length], bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
  const file = join(temp, `${name}.safetensors`);
  writeFileSync(file, encodeSafetensors(entries));
  return file;
}

describe('building the Qwen3 text encoder from a safetensors checkpoint', () => {
  const { tensors, shapes } = fullCheckpoint();

  it('reads only the layers it needs, leaves later layers, model.norm and lm_head unread, and matches the direct pass', async () => {
    const config = { ...tiny, outputLayers: [1, 2] };
    const weights = await checkpointWeights(writeCheckpoint('full', tensors, shapes));
    if (E.isLeft(weights)) throw new Error(JSON.stringify(weights.left));
    const built = await buildQwen3TextEncoder(config, weights.right);
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    expect(weights.right.unread().filter((n) => !n.startsWith('model.layers.2.'))).toEqual(['lm_head.weight', 'model.norm.weight']);
    expect(weights.right.unread().filter((n) => n.startsWith('model.layers.2.'))).toHaveLength(11);
    const ids = [[151644, 872, 198, 9707, 4337, 151645, 151643, 151643]];
    const mask = [[1, 1, 1, 1, 1, 1, 0, 0]];
    const out = await runEncoder(built.right.model, ids, mask);
    const param = (name: string): Float32Array => tensors.get(name) as Float32Array;
    expect(maxAbsDiff(out.data, referenceQwen3Forward(m, param, ids, mask, [1, 2]))).toBeLessThan(1e-4);
  });

  it('names a tensor the encoder does not know instead of ignoring it', async () => {
    const withStray = new Map(tensors).set('model.layers.0.self_attn.q_proj.bias', new Float32Array(32));
    const weights = await checkpointWeights(writeCheckpoint('stray', withStray, new Map(shapes).set('model.layers.0.self_attn.q_proj.bias', [32])));
    if (E.isLeft(weights)) throw new Error('unreadable');
    const built = await buildQwen3TextEncoder(tiny, weights.right);
    expect(E.isLeft(built) && built.left).toEqual([{ _tag: 'ExtraTensors', names: ['model.layers.0.self_attn.q_proj.bias'], source: expect.any(String) }]);
  });

  it('reports every missing tensor and every wrong shape in one go', async () => {
    const broken = new Map(tensors);
    broken.delete('model.layers.1.self_attn.k_norm.weight');
    broken.delete('model.norm.weight');
    const badShapes = new Map(shapes).set('model.layers.0.mlp.up_proj.weight', [32, 64]);
    const weights = await checkpointWeights(writeCheckpoint('broken', broken, badShapes));
    if (E.isLeft(weights)) throw new Error('unreadable');
    const built = await buildQwen3TextEncoder(tiny, weights.right);
    if (E.isRight(built)) throw new Error('expected errors');
    expect(built.left.map((e) => `${e._tag}:${'name' in e ? e.name : ''}`)).toEqual([
      'WrongShape:model.layers.0.mlp.up_proj.weight',
      'MissingTensor:model.layers.1.self_attn.k_norm.weight',
      'MissingTensor:model.norm.weight',
    ]);
  });
});
