import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from '@moral-plantain/onnxruntime-node';
import { encodeModel } from '@moral-plantain/hooks';
import { buildModelFolder, buildQwen3TextEncoder, flux2Presets, qwen3Presets, seededWeights, type WeightSource } from '@moral-plantain/model-builder';
import {
  defaultQwen3TokenizerDir,
  describeModelFolder,
  encodePrompts,
  gaussianNoise,
  loadQwen3Tokenizer,
  openModelFolder,
  qwen3Tokenize,
  runProbe,
  type ModelFolder,
  type ProbeResult,
  type Tokenize,
} from '@moral-plantain/model-runtime';
import { flux2Reference, referenceQwen3Forward } from '@moral-plantain/references';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'mp-study-tiny-'));

const pairs = [
  { id: 'honesty', a: 'A man returns the lost wallet to its owner.', b: 'A man keeps the lost wallet for himself.' },
  { id: 'care', a: 'A girl shares her lunch with a hungry classmate.', b: 'A girl throws her lunch at a hungry classmate.' },
];

/** Seeded weights that remember every value the builder read, for the direct references. */
function recording(seed: number): WeightSource & { readonly values: Map<string, Float32Array> } {
  const base = seededWeights({ seed });
  const values = new Map<string, Float32Array>();
  return {
    description: base.description,
    values,
    read: async (name, shape, init) => {
      const read = await base.read(name, shape, init);
      if (E.isRight(read)) values.set(name, read.right);
      return read;
    },
    unread: () => [],
  };
}

describe('the probe on the built tiny FLUX.2 + Qwen3 model', () => {
  let folder: ModelFolder;
  let tokenize: Tokenize;
  let textWeights: ReturnType<typeof recording>;
  let result: ProbeResult;

  beforeAll(async () => {
    textWeights = recording(1);
    const built = await buildModelFolder({
      out: await tempDir(),
      name: 'tiny',
      tiny: true,
      seeds: { transformer: 0, textEncoder: 1 },
      transformer: { config: flux2Presets.tiny, weights: seededWeights({ seed: 0 }) },
      textEncoder: { config: qwen3Presets.tiny, weights: textWeights },
      tokenizerDir: defaultQwen3TokenizerDir(),
    });
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const opened = await openModelFolder(built.right.dir)();
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
    folder = opened.right;
    const tokenizer = await loadQwen3Tokenizer(folder.tokenizerDir ?? undefined);
    if (E.isLeft(tokenizer)) throw new Error(JSON.stringify(tokenizer.left));
    tokenize = qwen3Tokenize(tokenizer.right);
    const run = await runProbe(folder, { pairs, tokenize, seed: 5 })();
    if (E.isLeft(run)) throw new Error(JSON.stringify(run.left));
    result = run.right;
  }, 120_000);

  it('builds a folder of ours with both graphs, the tokenizer files and model.json', async () => {
    expect(folder.kind).toBe('ours');
    expect(folder.transformerIo.naming).toBe('diffusers');
    expect(folder.manifest).toMatchObject({ name: 'tiny', tiny: true, resolution: [128, 128], seeds: { transformer: 0, textEncoder: 1 } });
    expect((await readdir(folder.dir)).filter((f) => !f.includes('tapped')).sort()).toEqual(['model.json', 'text_encoder.onnx', 'tokenizer.json', 'tokenizer_config.json', 'transformer.onnx']);
  });

  it('gives 72 units for unit width 16: 2 joint blocks x 64/16 then 4 single blocks x 256/16', () => {
    expect(result.activations.nUnits).toBe(72);
    expect(result.activations.groups).toEqual([
      ...Array(4).fill('joint[0]'),
      ...Array(4).fill('joint[1]'),
      ...[0, 1, 2, 3].flatMap((n) => Array(16).fill(`single[${n}]`)),
    ]);
    expect(result.activations.pairs).toEqual(['honesty', 'care']);
  });

  it('agrees within 1e-4 with direct TypeScript forward passes of the text encoder and the transformer on the same tokens, noise and ids', async () => {
    const tokens = tokenize(pairs[1]!.b);
    if (E.isLeft(tokens)) throw new Error('tokenize');
    const ids = [Array.from(tokens.right.inputIds)];
    const mask = [Array.from(tokens.right.attentionMask)];
    const text = referenceQwen3Forward(qwen3Presets.tiny.model, (name) => textWeights.values.get(name)!, ids, mask, qwen3Presets.tiny.outputLayers);
    const grid = 8;
    const reference = await flux2Reference(flux2Presets.tiny, seededWeights({ seed: 0 }), {
      batch: 1,
      imageTokens: grid * grid,
      textTokens: 512,
      hiddenStates: gaussianNoise(5, grid * grid * 128),
      encoderHiddenStates: Float32Array.from(text),
      timestep: Float32Array.of(1),
      imgIds: Array.from({ length: grid * grid }, (_, i) => [0, Math.floor(i / grid), i % grid, 0]),
      txtIds: Array.from({ length: 512 }, (_, l) => [0, 0, 0, l]),
    });
    const expected: number[] = [];
    for (const tap of result.manifest.taps) {
      const input = reference.toOutInputs.get(tap.module)!;
      for (let u = 0; u < tap.units; u++) {
        let sum = 0;
        for (let s = 0; s < input.tokens; s++) for (let c = u * 16; c < (u + 1) * 16; c++) sum += input.data[s * input.width + c]! ** 2;
        expected.push(Math.sqrt(sum / (input.tokens * 16)));
      }
    }
    const actual = result.activations.b.data.subarray(72, 144);
    expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v))));
  }, 120_000);

  it('gives batch-size-2 results equal to batch size 1 within 1e-5', async () => {
    const run = await runProbe(folder, { pairs, tokenize, seed: 5, batchSize: 2 })();
    if (E.isLeft(run)) throw new Error(JSON.stringify(run.left));
    for (const side of ['a', 'b'] as const) run.right.activations[side].data.forEach((v, i) => expect(Math.abs(v - result.activations[side].data[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  }, 120_000);

  it('describes the folder: configs, files with sizes and hashes, naming, and the tapped graph', async () => {
    const info = await describeModelFolder(folder);
    expect(info.configs.transformer).toMatchObject({ num_layers: 2, num_single_layers: 4 });
    expect(info.transformer.naming).toBe('diffusers');
    expect(info.transformer.inputs.map((i) => i.name)).toEqual(['hidden_states', 'encoder_hidden_states', 'timestep', 'img_ids', 'txt_ids']);
    expect(info.files.find((f) => f.file === 'transformer.onnx')).toMatchObject({ bytes: folder.transformer.bytes, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(info.taps).toEqual([expect.objectContaining({ totalUnits: 72, unitWidth: 16, taps: 6 })]);
  });
});

describe('the tiny Qwen3 text encoder on real prompts', () => {
  it('encodes real prompts end to end: chat template, tokenizer, padding to 512, encoder, as a direct forward pass does to 1e-4', async () => {
    const tiny = qwen3Presets.tiny;
    const weights = recording(5);
    const built = await buildQwen3TextEncoder(tiny, weights);
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const tokenizer = await loadQwen3Tokenizer();
    if (E.isLeft(tokenizer)) throw new Error('no tokenizer');
    const encoded = encodePrompts(tokenizer.right, ['A photo of a kind act.', 'A man helps an elderly woman carry heavy bags up the stairs.']);
    if (E.isLeft(encoded)) throw new Error('not encoded');
    const rows = (data: BigInt64Array) => [0, 1].map((b) => Array.from(data.subarray(b * 512, (b + 1) * 512), Number));
    const ids = rows(encoded.right.inputIds);
    const mask = rows(encoded.right.attentionMask);
    const session = await ort.InferenceSession.create(encodeModel(built.right.model), { executionProviders: ['cpu'] });
    const tensor = (values: number[][]) => new ort.Tensor('int64', BigInt64Array.from(values.flat(), (v) => BigInt(v)), [2, 512]);
    const out = (await session.run({ input_ids: tensor(ids), attention_mask: tensor(mask) }))['prompt_embeds']!;
    await session.release();
    expect(out.dims).toEqual([2, 512, 96]);
    const reference = referenceQwen3Forward(tiny.model, (name) => weights.values.get(name)!, ids, mask, tiny.outputLayers);
    const data = out.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i]! - reference[i]!));
    expect(worst).toBeLessThan(1e-4);
  });
});
