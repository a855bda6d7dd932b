import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import path from 'node:path';
import { fromFloat16Bits, toFloat16Bits } from '@moral-plantain/hooks';
import { encodeSafetensors, gaussianNoise, openModelFolder, readActivations, runProbe, type ModelFolder, type ProbeOptions, type ProbeProgress } from '../../src/index.js';
import { writeFile } from 'node:fs/promises';
import { charTokenizer, embeddingTable, FAKE_DIMS, fakeWeights } from './fake-models.js';
import { tempDir, writeFakeFolder, type FakeFolderOptions } from './fake-folder.js';
import { referenceUnits } from './fake-reference.js';

const pairs = [
  { id: 'p1', a: 'a kind act', b: 'a cruel act' },
  { id: 'p2', a: 'she helps', b: 'she harms' },
  { id: 'p3', a: 'gift', b: 'theft' },
];
const grid = { rows: 4, cols: 3 }; // model.json resolution [64, 48]

async function folder(options: FakeFolderOptions = {}): Promise<ModelFolder> {
  const opened = await openModelFolder(await writeFakeFolder(options))();
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  return opened.right;
}

async function probe(f: ModelFolder, options: Partial<ProbeOptions> = {}) {
  const result = await runProbe(f, { pairs, tokenize: charTokenizer(), taps: { unitWidth: 8 }, session: { intraOpThreads: 1 }, ...options })();
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

/** The fake text encoder's output computed directly: table rows of the char tokens, zero where padded. */
function directEmbedding(prompt: string): Float32Array {
  const table = embeddingTable();
  const { inputIds, attentionMask } = charTokenizer()(prompt);
  const out = new Float32Array(8 * FAKE_DIMS.textWidth);
  for (let s = 0; s < 8; s++) for (let j = 0; j < FAKE_DIMS.textWidth; j++) out[s * FAKE_DIMS.textWidth + j] = table[inputIds[s]! * FAKE_DIMS.textWidth + j]! * attentionMask[s]!;
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[i]!)));
}

describe('runProbe', () => {
  it('gives each prompt the per-unit RMS of the tapped inputs under seeded noise, FLUX.2 ids and timestep 1.0 (direct float64 reference)', async () => {
    const result = await probe(await folder(), { seed: 7 });
    const w = fakeWeights();
    const noise = gaussianNoise(7, grid.rows * grid.cols * FAKE_DIMS.channels);
    expect(result.activations.nUnits).toBe(32 / 8 + 64 / 8);
    for (const [i, pair] of pairs.entries()) {
      for (const side of ['a', 'b'] as const) {
        const expected = referenceUnits(directEmbedding(pair[side]), 8, noise, grid, 1.0, w, 8);
        expectClose(result.activations[side].subarray(i * 12, (i + 1) * 12), expected, 1e-5);
      }
    }
    expect(result.activations.groups).toEqual([...Array(4).fill('joint[0]'), ...Array(8).fill('single[0]')]);
    expect(result.device).toBe('cpu');
  });

  it('gives batched results equal to batch size 1 within 1e-5', async () => {
    const f = await folder();
    const one = await probe(f, { batchSize: 1 });
    const four = await probe(f, { batchSize: 4 });
    expectClose(four.activations.a, one.activations.a, 1e-5);
    expectClose(four.activations.b, one.activations.b, 1e-5);
  });

  it('reads BFL input names and feeds float16 inputs as float16, ids with a batch axis when declared so', async () => {
    const result = await probe(await folder({ naming: 'bfl', inputType: 'float16', batchedIds: true }), { batchSize: 2 });
    const round = (x: Float32Array) => fromFloat16Bits(toFloat16Bits(x));
    const noise = round(gaussianNoise(0, grid.rows * grid.cols * FAKE_DIMS.channels));
    const expected = referenceUnits(round(directEmbedding(pairs[1]!.b)), 8, noise, grid, 1.0, fakeWeights(), 8);
    expectClose(result.activations.b.subarray(12, 24), expected, 1e-5);
  });

  it('takes prompt embeddings from a safetensors file, per prompt by text or stacked with a prompts list', async () => {
    const f = await folder({ textEncoder: false });
    const dir = await tempDir();
    const tensor = (data: Float32Array, shape: number[]) => ({ dtype: 'F32' as const, shape, bytes: new Uint8Array(data.buffer) });
    const texts = pairs.flatMap((p) => [p.a, p.b]);
    const perPrompt = path.join(dir, 'per-prompt.safetensors');
    await writeFile(perPrompt, encodeSafetensors(new Map(texts.map((t) => [t, tensor(directEmbedding(t), [8, FAKE_DIMS.textWidth])]))));
    const stacked = path.join(dir, 'stacked.safetensors');
    const all = new Float32Array(texts.length * 8 * FAKE_DIMS.textWidth);
    texts.forEach((t, i) => all.set(directEmbedding(t), i * 8 * FAKE_DIMS.textWidth));
    await writeFile(stacked, encodeSafetensors(new Map([['prompt_embeds', tensor(all, [texts.length, 8, FAKE_DIMS.textWidth])]]), { prompts: JSON.stringify(texts) }));
    const viaEncoder = await probe(await folder());
    for (const file of [perPrompt, stacked]) {
      const result = await probe(f, { promptEmbeddings: file, tokenize: undefined });
      expectClose(result.activations.a, viaEncoder.activations.a, 1e-6);
      expectClose(result.activations.b, viaEncoder.activations.b, 1e-6);
    }
  });

  it('names the prompt an embeddings file lacks', async () => {
    const f = await folder({ textEncoder: false });
    const file = path.join(await tempDir(), 'e.safetensors');
    await writeFile(file, encodeSafetensors(new Map([['gift', { dtype: 'F32', shape: [8, 12], bytes: new Uint8Array(384) }]])));
    const result = await runProbe(f, { pairs, promptEmbeddings: file })();
    expect(result).toEqual(E.left({ _tag: 'MissingEmbedding', path: file, prompt: 'a kind act' }));
  });

  it('writes the activations file with pair ids, groups, seed, stimuli hash and the unit definition', async () => {
    const out = path.join(await tempDir(), 'activations.safetensors');
    const result = await probe(await folder(), { out, seed: 3, stimuliHash: 'sha256:abc' });
    const read = await readActivations(out)();
    if (E.isLeft(read)) throw new Error('unreadable');
    expect(read.right.pairs).toEqual(['p1', 'p2', 'p3']);
    expect(read.right.groups).toEqual(result.activations.groups);
    expect(Array.from(read.right.a)).toEqual(Array.from(Float32Array.from(result.activations.a)));
    expect(read.right.metadata).toMatchObject({ seed: '3', stimuli: 'sha256:abc', model: 'fake', timestep: '1', resolution: '[64,48]' });
    expect(JSON.parse(read.right.metadata.units!)).toMatchObject({ preset: 'flux2', unitWidth: 8, channels: null, tokens: null });
  });

  it('computes a prompt that occurs twice only once', async () => {
    const result = await probe(await folder(), { pairs: [{ id: 'x', a: 'same', b: 'other' }, { id: 'y', a: 'same', b: 'third' }] });
    expect(result.prompts).toEqual({ total: 3, computed: 3, cached: 0 });
    expect(Array.from(result.activations.a.subarray(0, 12))).toEqual(Array.from(result.activations.a.subarray(12, 24)));
  });

  it('reports progress by stage up to every prompt done, with an estimate once a prompt is computed', async () => {
    const events: ProbeProgress[] = [];
    await probe(await folder(), { batchSize: 2, onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ stage: 'tap', done: 0, total: 6 });
    expect(events.filter((e) => e.stage === 'transformer').map((e) => e.done)).toEqual([2, 4, 6]);
    expect(events.at(-1)).toMatchObject({ stage: 'done', done: 6, total: 6, etaSeconds: 0 });
    expect(events.filter((e) => e.stage === 'transformer')[0]!.etaSeconds).toBeGreaterThan(0);
  });

  it('rejects a model with a text encoder but no tokenizer, a folder with no text source, and bad options', async () => {
    expect(await runProbe(await folder(), { pairs })()).toEqual(E.left({ _tag: 'NoTokenizer' }));
    const bare = await folder({ textEncoder: false });
    expect(await runProbe(bare, { pairs })()).toEqual(E.left({ _tag: 'NoTextSource', dir: bare.dir }));
    const f = await folder();
    const bad = await runProbe(f, { pairs, tokenize: charTokenizer(), batchSize: 0 })();
    expect(E.isLeft(bad) && bad.left._tag === 'InvalidProbeOption' && bad.left.option).toBe('batchSize');
    const res = await runProbe(f, { pairs, tokenize: charTokenizer(), resolution: [100, 64] })();
    expect(E.isLeft(res) && res.left._tag === 'InvalidProbeOption' && res.left.option).toBe('resolution');
  });

  it('writes the tapped graph into another folder with the external data still resolving', async () => {
    const f = await folder({ externalData: true });
    const tappedDir = path.join(f.dir, '..', `${path.basename(f.dir)}-tapped`);
    await import('node:fs/promises').then((fs) => fs.mkdir(tappedDir));
    const elsewhere = await probe(f, { tappedDir });
    const beside = await probe(f);
    expect(path.dirname(elsewhere.tappedModel)).toBe(path.resolve(tappedDir));
    expect(Array.from(elsewhere.activations.a)).toEqual(Array.from(beside.activations.a));
  });
});
