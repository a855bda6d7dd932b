import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { buildTinyModelFolder, flux2Presets, seededWeights } from '@moral-plantain/model-builder';
import {
  createImageGenerator,
  defaultQwen3TokenizerDir,
  describeProbeError,
  gaussianNoise,
  loadQwen3Tokenizer,
  openModelFolder,
  prepareReferenceImage,
  qwen3Tokenize,
  readImageFile,
  runProbe,
  writePngFile,
  type ModelFolder,
  type ProbeResult,
  type Tokenize,
} from '@moral-plantain/model-runtime';
import { flux2Reference } from '@moral-plantain/references';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const PAIR = { id: 'p-1', a: 'A boy comforting a lost puppy in the park.', b: 'A boy ignoring a lost puppy in the park.' };

/** Per unit of 16 channels: the RMS over tokens [start, end) of one sample's [tokens, width] input. */
function unitRms(data: Float64Array, tokens: number, width: number, start: number, end: number): number[] {
  const out: number[] = [];
  for (let u = 0; u < width / 16; u++) {
    let sum = 0;
    for (let t = start; t < end; t++) for (let c = u * 16; c < (u + 1) * 16; c++) sum += data[t * width + c]! ** 2;
    out.push(Math.sqrt(sum / ((end - start) * 16)));
  }
  void tokens;
  return out;
}

describe('the reference-image probe on the tiny model', () => {
  let folder: ModelFolder;
  let tokenize: Tokenize;
  let image: string;
  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'mp-reference-'));
    dirs.push(root);
    const built = await buildTinyModelFolder(path.join(root, 'tiny'), defaultQwen3TokenizerDir());
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const opened = await openModelFolder(path.join(root, 'tiny'))();
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
    folder = opened.right;
    const tokenizer = await loadQwen3Tokenizer();
    if (E.isLeft(tokenizer)) throw new Error('tokenizer');
    tokenize = qwen3Tokenize(tokenizer.right);
    // A smooth 128 x 128 reference image: 8 x 8 = 64 reference tokens, as many as the noisy ones.
    const pixels = new Uint8Array(128 * 128 * 3);
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) pixels.set([2 * x, 2 * y, 255 - x - y], (y * 128 + x) * 3);
    image = path.join(root, 'scene.png');
    const written = await writePngFile(image, { width: 128, height: 128, data: pixels })();
    if (E.isLeft(written)) throw new Error('png');
  }, 60_000);

  async function probe(unitTokens: 'all' | 'text-and-noisy' | null, cacheDir?: string): Promise<ProbeResult> {
    const result = await runProbe(folder, {
      pairs: [PAIR],
      tokenize,
      ...(cacheDir ? { cacheDir } : {}),
      taps: { ...(unitTokens ? { unitTokens } : {}) },
      ...(unitTokens ? { references: { kind: 'shared' as const, files: [image] } } : {}),
    })();
    if (E.isLeft(result)) throw new Error(describeProbeError(result.left).message);
    return result.right;
  }

  it('conditions a prompt on the encoded reference (ids T = 10) and takes each unit RMS over the chosen tokens, as the direct forward pass does', async () => {
    // The independent side: the reference image and the prompt encoded, then the float64 forward pass of every block.
    const generator = createImageGenerator(folder, { tokenize });
    const read = await readImageFile(image)();
    if (E.isLeft(read)) throw new Error('read');
    const prepared = await prepareReferenceImage(read.right, image)();
    if (E.isLeft(prepared)) throw new Error('prepare');
    const encoded = await generator.encodeImage(prepared.right)();
    const embedded = await generator.embed([PAIR.a])();
    await generator.release();
    if (E.isLeft(encoded) || E.isLeft(embedded)) throw new Error('encode');
    expect([encoded.right.rows, encoded.right.cols, encoded.right.channels]).toEqual([8, 8, 128]);
    const text = embedded.right.get(PAIR.a)!;
    const noise = gaussianNoise(0, 64 * 128);
    const grid = (t: number) => Array.from({ length: 64 }, (_, i) => [t, Math.floor(i / 8), i % 8, 0]);
    const forward = await flux2Reference(flux2Presets.tiny, seededWeights({ seed: 0 }), {
      batch: 1,
      imageTokens: 128,
      textTokens: text.tokens,
      hiddenStates: Float32Array.from([...noise, ...encoded.right.tokens]),
      encoderHiddenStates: text.data,
      timestep: Float32Array.of(1),
      imgIds: [...grid(0), ...grid(10)],
      txtIds: Array.from({ length: text.tokens }, (_, l) => [0, 0, 0, l]),
    });

    for (const unitTokens of ['text-and-noisy', 'all'] as const) {
      const result = await probe(unitTokens);
      expect(result.unit.tokens).toBe(unitTokens);
      expect(result.references).toMatchObject({ kind: 'shared', imagesPerPrompt: 1, tokensPerPrompt: { min: 64, max: 64 } });
      const row = result.activations.a.data.slice(0, result.activations.nUnits);
      for (const tap of result.manifest.taps) {
        const input = forward.toOutInputs.get(tap.module)!;
        const joint = tap.group.startsWith('joint');
        // Joint projections see [noisy ; reference] image tokens, single ones [text ; noisy ; reference].
        expect(input.tokens).toBe(joint ? 128 : 512 + 128);
        const end = unitTokens === 'all' ? input.tokens : joint ? 64 : 512 + 64;
        expect(tap.tokens).toEqual(unitTokens === 'all' ? null : [0, end]);
        const expected = unitRms(input.data, input.tokens, input.width, 0, end);
        const got = Array.from(row.slice(tap.offset, tap.offset + tap.units));
        for (const [u, value] of got.entries()) expect(Math.abs(value - expected[u]!) / Math.max(1e-3, expected[u]!), `${tap.module} unit ${u} (${unitTokens})`).toBeLessThan(1e-4);
      }
    }
  }, 120_000);

  it('changes the units when a reference is added, and keys the cache by the reference', async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'mp-reference-cache-'));
    dirs.push(cache);
    const plain = await probe(null, cache);
    const referenced = await probe('all', cache);
    expect(plain.unit.tokens).toBeUndefined();
    expect(plain.references).toBeNull();
    expect(Array.from(plain.activations.a.data)).not.toEqual(Array.from(referenced.activations.a.data));
    expect([plain.prompts.computed, referenced.prompts.computed, referenced.prompts.cached]).toEqual([2, 2, 0]);
    const again = await probe('all', cache);
    expect([again.prompts.computed, again.prompts.cached]).toEqual([0, 2]);
    expect(Array.from(again.activations.a.data)).toEqual(Array.from(referenced.activations.a.data));
  }, 60_000);
});
