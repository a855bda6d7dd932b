import * as E from 'fp-ts/lib/Either.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { encodeSafetensors, type SafetensorsTensor } from '@moral-plantain/formats';
import { decodeModel, encodeModel } from '@moral-plantain/hooks';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildModelFolder,
  buildQwen3TextEncoder,
  buildQwen3TextEncoderFile,
  checkpointWeights,
  describeGraphBuildError,
  describeModelBuildProblem,
  flux2Presets,
  INLINE_WEIGHT_LIMIT,
  qwen3ParameterPlan,
  qwen3Presets,
  qwen3WeightBytes,
  seededTensor,
  seededWeights,
  type Qwen3TextEncoderConfig,
  type WeightSource,
} from '../../src/index.js';
import { referenceQwen3Forward } from '@moral-plantain/references';
import { maxAbsDiff, perturbedWeights } from './qwen3-test-weights.js';

const tiny = qwen3Presets.tiny;
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'qwen3-file-'));
  dirs.push(dir);
  return dir;
}

/** Token ids spread over the vocabulary, right-padded with <|endoftext|> (151643). */
const ids = [
  [151644, 872, 198, 9707, 4337, 151645, 151643, 151643],
  [151644, 77091, 198, 40, 1079, 151643, 151643, 151643],
];
const mask = [
  [1, 1, 1, 1, 1, 1, 0, 0],
  [1, 1, 1, 1, 1, 0, 0, 0],
];

/** `prompt_embeds` of a model given as a file path (external data resolves from its folder) or as bytes, on the CPU provider. */
async function run(model: string | Uint8Array): Promise<Float32Array> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, { executionProviders: ['cpu'] }) : await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  try {
    const shape = [ids.length, ids[0]?.length ?? 0];
    const tensor = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), shape);
    const out = await session.run({ input_ids: tensor(ids), attention_mask: tensor(mask) });
    return (out['prompt_embeds'] as ort.Tensor).data as Float32Array;
  } finally {
    await session.release();
  }
}

/** A Hugging Face style checkpoint of every tensor of a tiny Qwen3ForCausalLM (seed-5 values, untied lm_head), edited by `edit`. */
async function checkpointFile(dir: string, config: Qwen3TextEncoderConfig, edit: (tensors: Map<string, SafetensorsTensor>) => void): Promise<string> {
  const m = config.model;
  const full = qwen3ParameterPlan({ ...config, outputLayers: [m.num_hidden_layers] });
  const tensors = new Map<string, SafetensorsTensor>();
  for (const p of [...full.parameters, { name: 'lm_head.weight', shape: [m.vocab_size, m.hidden_size], init: { kind: 'linear', fanIn: m.hidden_size } as const }]) {
    const values = seededTensor(5, p.name, p.shape, p.init);
    tensors.set(p.name, { dtype: 'F32', shape: p.shape, bytes: new Uint8Array(values.buffer) });
  }
  edit(tensors);
  const file = path.join(dir, 'model.safetensors');
  await writeFile(file, encodeSafetensors(tensors));
  return file;
}

describe('building the Qwen3 text encoder into files', () => {
  it('streams every weight into text_encoder.onnx.data as it is read, and ONNX Runtime gives the in-memory output bit for bit', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'text_encoder.onnx');
    // Before each read, the temporary data file already holds every weight read before it.
    let bytesSoFar = 0;
    const gaps: number[] = [];
    const readOrder: string[] = [];
    const inner = perturbedWeights(3);
    const watching: WeightSource = {
      ...inner,
      read: async (name, shape, init) => {
        const temp = (await readdir(dir)).find((f) => f.endsWith('.tmp'));
        gaps.push(temp ? (await stat(path.join(dir, temp))).size - bytesSoFar : Number.NaN);
        bytesSoFar += shape.reduce((p, s) => p * s, 4);
        readOrder.push(name);
        return inner.read(name, shape, init);
      },
    };
    const written = await buildQwen3TextEncoderFile(tiny, watching, { file, externalData: true });
    if (E.isLeft(written)) throw new Error(written.left.map((e) => describeGraphBuildError(e, 'Qwen3').message).join(' '));
    const plan = qwen3ParameterPlan(tiny);
    expect(readOrder).toEqual(plan.parameters.map((p) => p.name));
    expect(gaps).toHaveLength(plan.parameters.length);
    // Page alignment leaves gaps, so the file is at least as long as the data read so far.
    expect(gaps.every((gap) => gap >= 0)).toBe(true);
    expect(written.right.dataPath).toBe(path.join(dir, 'text_encoder.onnx.data'));
    expect(written.right.dataBytes).toBe((await stat(path.join(dir, 'text_encoder.onnx.data'))).size);
    expect(written.right.dataBytes).toBeGreaterThanOrEqual(qwen3WeightBytes(tiny));
    expect((await readdir(dir)).sort()).toEqual(['text_encoder.onnx', 'text_encoder.onnx.data']);
    expect(written.right.graphBytes).toBeLessThan(100_000);

    const model = decodeModel(await readFile(file));
    if (E.isLeft(model)) throw new Error('decode');
    const parameters = new Set(plan.parameters.map((p) => p.name));
    const external = (model.right.graph?.initializer ?? []).filter((t) => parameters.has(t.name));
    expect(external).toHaveLength(parameters.size);
    for (const tensor of external) {
      const entries = Object.fromEntries(tensor.externalData.map((e) => [e.key, e.value]));
      expect(entries['location']).toBe('text_encoder.onnx.data');
      expect(Number(entries['offset']) % 4096).toBe(0);
      expect(tensor.rawData.byteLength).toBe(0);
    }

    const inMemory = await buildQwen3TextEncoder(tiny, perturbedWeights(3));
    if (E.isLeft(inMemory)) throw new Error('build');
    const expected = await run(encodeModel(inMemory.right.model));
    const actual = await run(file);
    expect(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);
    // And both are the Qwen3 forward pass.
    const param = (name: string): Float32Array => inner.values.get(name) as Float32Array;
    expect(maxAbsDiff(actual, referenceQwen3Forward(tiny.model, param, ids, mask, tiny.outputLayers))).toBeLessThan(1e-4);
  });

  it('streams from a safetensors checkpoint, leaving later layers and lm_head unread, to the direct forward pass', async () => {
    const root = await tempDir();
    const source = await checkpointWeights(await checkpointFile(root, tiny, () => undefined));
    if (E.isLeft(source)) throw new Error(JSON.stringify(source.left));
    const config = { ...tiny, outputLayers: [2, 1] };
    const out = path.join(root, 'out');
    await mkdir(out);
    const written = await buildQwen3TextEncoderFile(config, source.right, { file: path.join(out, 'text_encoder.onnx'), externalData: true });
    if (E.isLeft(written)) throw new Error(written.left.map((e) => describeGraphBuildError(e, 'Qwen3').message).join(' '));
    expect(written.right.plan.layersRun).toBe(2);
    expect(written.right.outputWidth).toBe(64);
    expect(source.right.unread().filter((n) => !n.startsWith('model.layers.2.')).sort()).toEqual(['lm_head.weight', 'model.norm.weight']);
    const param = (name: string): Float32Array => {
      const p = qwen3ParameterPlan({ ...tiny, outputLayers: [3] }).parameters.find((q) => q.name === name);
      if (!p) throw new Error(name);
      return seededTensor(5, p.name, p.shape, p.init);
    };
    expect(maxAbsDiff(await run(path.join(out, 'text_encoder.onnx')), referenceQwen3Forward(tiny.model, param, ids, mask, [2, 1]))).toBeLessThan(1e-4);
  });

  it('names every missing, wrongly shaped and unknown tensor at once, and leaves no file behind', async () => {
    const root = await tempDir();
    const file = await checkpointFile(root, tiny, (tensors) => {
      tensors.delete('model.layers.1.self_attn.k_norm.weight');
      tensors.delete('model.norm.weight');
      const up = tensors.get('model.layers.0.mlp.up_proj.weight') as SafetensorsTensor;
      tensors.set('model.layers.0.mlp.up_proj.weight', { ...up, shape: [32, 64] });
      tensors.set('model.layers.0.self_attn.q_proj.bias', { dtype: 'F32', shape: [32], bytes: new Uint8Array(128) });
    });
    const source = await checkpointWeights(file);
    if (E.isLeft(source)) throw new Error('unreadable');
    const out = path.join(root, 'out');
    await mkdir(out);
    const built = await buildQwen3TextEncoderFile(tiny, source.right, { file: path.join(out, 'text_encoder.onnx'), externalData: true });
    if (E.isRight(built)) throw new Error('expected errors');
    expect(built.left.map((e) => `${e._tag}:${'name' in e ? e.name : 'names' in e ? e.names.join(',') : ''}`)).toEqual([
      'WrongShape:model.layers.0.mlp.up_proj.weight',
      'MissingTensor:model.layers.1.self_attn.k_norm.weight',
      'MissingTensor:model.norm.weight',
      'ExtraTensors:model.layers.0.self_attn.q_proj.bias',
    ]);
    expect(describeGraphBuildError(built.left[1] as (typeof built.left)[number], 'Qwen3').message).toMatch(/has no tensor model\.layers\.1\.self_attn\.k_norm\.weight/);
    expect(await readdir(out)).toEqual([]);
  });

  it('keeps a small encoder in one graph file, byte-identical to the in-memory build, unless asked for external data', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'text_encoder.onnx');
    const written = await buildQwen3TextEncoderFile(tiny, seededWeights({ seed: 4 }), { file });
    if (E.isLeft(written)) throw new Error('build');
    expect(written.right.dataPath).toBeUndefined();
    expect(await readdir(dir)).toEqual(['text_encoder.onnx']);
    const inMemory = await buildQwen3TextEncoder(tiny, seededWeights({ seed: 4 }));
    if (E.isLeft(inMemory)) throw new Error('build');
    expect(Buffer.from(await readFile(file)).equals(Buffer.from(encodeModel(inMemory.right.model)))).toBe(true);
  });

  it('refuses to build weights over 1 GiB in memory before reading any, and says how to build them', async () => {
    let reads = 0;
    const counting: WeightSource = { description: 'counting', read: async (...args) => (reads++, seededWeights().read(...args)), unread: () => [] };
    const large = qwen3Presets['qwen3-4b'];
    expect(qwen3WeightBytes(large)).toBeGreaterThan(INLINE_WEIGHT_LIMIT);
    const built = await buildQwen3TextEncoder(large, counting);
    expect(E.isLeft(built) && built.left).toEqual([{ _tag: 'TooLargeForMemory', bytes: qwen3WeightBytes(large) }]);
    expect(E.isLeft(built) && describeGraphBuildError(built.left[0], 'Qwen3').message).toMatch(/^The Qwen3 weights take \d+\.\d GiB, too much for an in-memory ONNX model\.$/);
    expect(reads).toBe(0);
  });

  it('counts the weights of the layers run only: Qwen3-4B up to hidden_states[27] reads 27 of 36 layers', () => {
    const m = qwen3Presets['qwen3-4b'].model;
    const layer = 2 * m.hidden_size + 2 * m.head_dim + m.hidden_size * (m.num_attention_heads + 2 * m.num_key_value_heads) * m.head_dim + m.num_attention_heads * m.head_dim * m.hidden_size + 3 * m.hidden_size * m.intermediate_size;
    expect(qwen3WeightBytes(qwen3Presets['qwen3-4b'])).toBe(4 * (m.vocab_size * m.hidden_size + 27 * layer));
  });

  it('puts a text encoder asked for external data into text_encoder.onnx.data in a model folder', async () => {
    const out = await tempDir();
    const built = await buildModelFolder({
      out,
      name: 'tiny-external',
      tiny: true,
      seeds: { transformer: 0, textEncoder: 2 },
      transformer: { config: flux2Presets.tiny, weights: seededWeights({ seed: 0 }) },
      textEncoder: { config: tiny, weights: seededWeights({ seed: 2 }) },
      tokenizerDir: null,
      textEncoderExternalData: true,
    });
    if (E.isLeft(built)) throw new Error(built.left.map((p) => describeModelBuildProblem(p).message).join(' '));
    expect(built.right.files).toEqual(['transformer.onnx', 'text_encoder.onnx', 'text_encoder.onnx.data', 'model.json']);
    const graph = decodeModel(await readFile(path.join(out, 'text_encoder.onnx')));
    if (E.isLeft(graph)) throw new Error('decode');
    const locations = new Set((graph.right.graph?.initializer ?? []).flatMap((t) => t.externalData.filter((e) => e.key === 'location').map((e) => e.value)));
    expect([...locations]).toEqual(['text_encoder.onnx.data']);
    const inMemory = await buildQwen3TextEncoder(tiny, seededWeights({ seed: 2 }));
    if (E.isLeft(inMemory)) throw new Error('build');
    expect(Array.from(await run(path.join(out, 'text_encoder.onnx')))).toEqual(Array.from(await run(encodeModel(inMemory.right.model))));
  });

  it('reports a text encoder weight problem of a model folder as one sentence per problem', async () => {
    const root = await tempDir();
    const file = await checkpointFile(root, tiny, (tensors) => void tensors.delete('model.embed_tokens.weight'));
    const source = await checkpointWeights(file);
    if (E.isLeft(source)) throw new Error('unreadable');
    const out = path.join(root, 'folder');
    const built = await buildModelFolder({
      out,
      name: 'broken',
      tiny: true,
      seeds: {},
      transformer: { config: flux2Presets.tiny, weights: seededWeights({ seed: 0 }) },
      textEncoder: { config: tiny, weights: source.right },
      tokenizerDir: null,
      textEncoderExternalData: true,
    });
    expect(E.isLeft(built) && built.left.map((p) => describeModelBuildProblem(p).message)).toEqual([`The checkpoint ${file} has no tensor model.embed_tokens.weight.`]);
    // Complete or absent: the failed build leaves no folder, and no staging folder beside it.
    expect(existsSync(out)).toBe(false);
    expect((await readdir(root)).filter((f) => f.includes('folder'))).toEqual([]);
  });
});
