import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import path from 'node:path';
import { encodeSafetensors, fromFloat16Bits, readActivations, toFloat16Bits } from '@moral-plantain/formats';
import { gaussianNoise, openModelFolder, runProbe, type ModelFolder, type ProbeOptions, type ProbeProgress } from '../../src/index.js';
import { readFile, writeFile } from 'node:fs/promises';
import { charTokenizer, charTokens, embeddingTable, FAKE_DIMS, fakeWeights } from './fake-models.js';
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
  const { inputIds, attentionMask } = charTokens(prompt);
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
        expectClose(result.activations[side].data.subarray(i * 12, (i + 1) * 12), expected, 1e-5);
      }
    }
    expect(result.activations.groups).toEqual([...Array(4).fill('joint[0]'), ...Array(8).fill('single[0]')]);
    expect(result.device).toBe('cpu');
  });

  it('gives batched results equal to batch size 1 within 1e-5', async () => {
    const f = await folder();
    const one = await probe(f, { batchSize: 1 });
    const four = await probe(f, { batchSize: 4 });
    expectClose(four.activations.a.data, one.activations.a.data, 1e-5);
    expectClose(four.activations.b.data, one.activations.b.data, 1e-5);
  });

  it('reads BFL input names and feeds float16 inputs as float16, ids with a batch axis when declared so', async () => {
    const result = await probe(await folder({ naming: 'bfl', inputType: 'float16', batchedIds: true }), { batchSize: 2 });
    const round = (x: Float32Array) => fromFloat16Bits(toFloat16Bits(x));
    const noise = round(gaussianNoise(0, grid.rows * grid.cols * FAKE_DIMS.channels));
    const expected = referenceUnits(round(directEmbedding(pairs[1]!.b)), 8, noise, grid, 1.0, fakeWeights(), 8);
    expectClose(result.activations.b.data.subarray(12, 24), expected, 1e-5);
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
      expectClose(result.activations.a.data, viaEncoder.activations.a.data, 1e-6);
      expectClose(result.activations.b.data, viaEncoder.activations.b.data, 1e-6);
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
    expect(Array.from(read.right.a.data)).toEqual(Array.from(Float32Array.from(result.activations.a.data)));
    expect(read.right.metadata).toMatchObject({ seed: '3', stimuli: 'sha256:abc', model: 'fake', timestep: '1', resolution: '[64,48]' });
    expect(JSON.parse(read.right.metadata.units!)).toMatchObject({ preset: 'flux2', unitWidth: 8, channels: null, tokens: null });
    // The tapped model's manifest travels with the units: every field of <tapped>.taps.json.
    expect(read.right.taps).toEqual(result.manifest);
    expect(JSON.parse(await readFile(`${result.tappedModel}.taps.json`, 'utf8'))).toEqual(read.right.taps);
  });

  it('computes a prompt that occurs twice only once', async () => {
    const result = await probe(await folder(), { pairs: [{ id: 'x', a: 'same', b: 'other' }, { id: 'y', a: 'same', b: 'third' }] });
    expect(result.prompts).toEqual({ total: 3, computed: 3, cached: 0 });
    expect(Array.from(result.activations.a.data.subarray(0, 12))).toEqual(Array.from(result.activations.a.data.subarray(12, 24)));
  });

  it('reports progress by stage up to every prompt done, with an estimate once a prompt is computed', async () => {
    const events: ProbeProgress[] = [];
    await probe(await folder(), { batchSize: 2, onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ stage: 'tap', done: 0, total: 6 });
    expect(events.filter((e) => e.stage === 'encode').map((e) => [e.done, e.total])).toEqual([[0, 6], [2, 6], [4, 6], [6, 6]]);
    expect(events.filter((e) => e.stage === 'transformer').map((e) => e.done)).toEqual([0, 2, 4, 6]);
    expect(events.findLastIndex((e) => e.stage === 'encode')).toBeLessThan(events.findIndex((e) => e.stage === 'transformer'));
    expect(events.at(-1)).toMatchObject({ stage: 'done', done: 6, total: 6, etaSeconds: 0 });
    expect(events.filter((e) => e.stage === 'transformer')[0]!.etaSeconds).toBeNull();
    expect(events.filter((e) => e.stage === 'transformer')[1]!.etaSeconds).toBeGreaterThan(0);
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
    expect(Array.from(elsewhere.activations.a.data)).toEqual(Array.from(beside.activations.a.data));
  });

  it('returns a tokenizer failure (a chat template that does not render) as a Text error value, touching no session', async () => {
    const failing = () => E.left({ _tag: 'ChatTemplateFailed' as const, reason: 'unknown filter' });
    const result = await runProbe(await folder(), { pairs, tokenize: failing })();
    expect(result).toEqual(E.left({ _tag: 'Text', error: { _tag: 'ChatTemplateFailed', reason: 'unknown filter' } }));
  });

  it('returns what it ran as data: the resolution, the unit definition and the kind of model', async () => {
    const f = await folder();
    const all = await probe(f);
    expect(all.resolution).toEqual([64, 48]);
    expect(all.unit).toEqual({ width: 8, channels: 'all', count: 12 });
    expect(all.model).toEqual({ name: 'fake', kind: 'tiny-seeded', weightSeed: 1 });
    // The joint block's projection input is all attention (width D = 32): 0:32 is the attention channels.
    const attention = await probe(f, { taps: { unitWidth: 8, channels: { start: 0, end: 32 } } });
    expect(attention.unit).toEqual({ width: 8, channels: 'attention-only', channelRange: { start: 0, end: 32 }, count: 8 });
    const subset = await probe(f, { taps: { unitWidth: 8, channels: { start: 8, end: 24 } } });
    expect(subset.unit).toMatchObject({ channels: 'subset', channelRange: { start: 8, end: 24 } });
    const community = await probe(await folder({ manifest: false }), { resolution: [32, 32] });
    expect(community.model).toMatchObject({ kind: 'pretrained' });
    expect(community.resolution).toEqual([32, 32]);
  });
});
