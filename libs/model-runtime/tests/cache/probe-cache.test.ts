import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { readdir, rm, utimes, writeFile, appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheEntryPath, encodeActivations, fingerprintGraph, openModelFolder, promptKey, readCachedUnits, runProbe, writeCachedUnits, type ModelFolder, type ProbeOptions, type PromptKeyParts } from '../../src/index.js';
import { charTokenizer } from '../probe/fake-models.js';
import { tempDir, writeFakeFolder } from '../probe/fake-folder.js';

const pairs = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}`, a: `good deed ${i}`, b: `bad deed ${i}` }));

async function folder(externalData = false): Promise<ModelFolder> {
  const opened = await openModelFolder(await writeFakeFolder({ externalData }))();
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  return opened.right;
}

function options(extra: Partial<ProbeOptions>): ProbeOptions {
  return { pairs, tokenize: charTokenizer(), taps: { unitWidth: 8 }, seed: 11, ...extra };
}

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of await readdir(dir)) for (const file of await readdir(path.join(dir, sub))) out.push(path.join(dir, sub, file));
  return out.sort();
}

describe('resumable probe cache', () => {
  it('resumes a run stopped by an abort signal and gives byte-identical activations', async () => {
    const f = await folder();
    const reference = await runProbe(f, options({ batchSize: 3 }))();
    if (E.isLeft(reference)) throw new Error('reference run failed');
    const cacheDir = await tempDir();
    const controller = new AbortController();
    const stopped = await runProbe(f, options({ batchSize: 3, cacheDir, signal: controller.signal, onProgress: (e) => e.stage === 'transformer' && e.done >= 3 && controller.abort() }))();
    expect(stopped).toEqual(E.left({ _tag: 'Aborted', done: 3, total: 10 }));
    expect(await entries(cacheDir)).toHaveLength(3);
    const resumed = await runProbe(f, options({ batchSize: 3, cacheDir }))();
    if (E.isLeft(resumed)) throw new Error('resumed run failed');
    expect(resumed.right.prompts).toEqual({ total: 10, computed: 7, cached: 3 });
    expect(encodeActivations(resumed.right.activations)).toEqual(encodeActivations(reference.right.activations));
  });

  it('recomputes deleted and corrupt entries only, with byte-identical activations', async () => {
    const f = await folder();
    const cacheDir = await tempDir();
    const first = await runProbe(f, options({ cacheDir }))();
    if (E.isLeft(first)) throw new Error('first run failed');
    const files = await entries(cacheDir);
    expect(files).toHaveLength(10);
    await rm(files[0]!);
    await rm(files[4]!);
    await writeFile(files[7]!, 'not safetensors');
    const again = await runProbe(f, options({ cacheDir }))();
    if (E.isLeft(again)) throw new Error('second run failed');
    expect(again.right.prompts).toEqual({ total: 10, computed: 3, cached: 7 });
    expect(encodeActivations(again.right.activations)).toEqual(encodeActivations(first.right.activations));
    const cachedOnly = await runProbe(f, options({ cacheDir }))();
    expect(E.isRight(cachedOnly) && cachedOnly.right.device).toBe(null);
  });

  it('does not reuse entries across seeds, resolutions or unit definitions', async () => {
    const f = await folder();
    const cacheDir = await tempDir();
    await runProbe(f, options({ cacheDir }))();
    for (const change of [{ seed: 12 }, { resolution: [32, 32] as const }, { taps: { unitWidth: 4 } }, { taps: { unitWidth: 8, tokens: { start: 0, end: 4 } } }]) {
      const run = await runProbe(f, options({ cacheDir, ...change }))();
      expect(E.isRight(run) && run.right.prompts.cached).toBe(0);
    }
  });

  it('keys a prompt by every part it depends on', () => {
    const base: PromptKeyParts = { transformer: 'f1', text: { encoder: 'e1', tokens: 't1' }, prompt: 'p', seed: 0, resolution: [1024, 1024], timestep: 1, taps: { unitWidth: 16 } };
    const key = promptKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(promptKey({ ...base, taps: { unitWidth: 16 } })).toBe(key);
    const variants: PromptKeyParts[] = [
      { ...base, transformer: 'f2' },
      { ...base, text: { encoder: 'e1', tokens: 't2' } },
      { ...base, text: { embeddings: 't1' } },
      { ...base, prompt: 'q' },
      { ...base, seed: 1 },
      { ...base, resolution: [1024, 512] },
      { ...base, taps: { unitWidth: 32 } },
    ];
    expect(new Set(variants.map(promptKey)).size).toBe(variants.length);
    expect(variants.map(promptKey)).not.toContain(key);
  });

  it('stores an entry atomically and rejects one of the wrong length', async () => {
    const dir = await tempDir();
    const key = 'ab'.repeat(32);
    await writeCachedUnits(dir, key, Float32Array.from([1.5, -2, 3]), 'prompt');
    expect(await readdir(path.dirname(cacheEntryPath(dir, key)))).toEqual([`${key}.safetensors`]);
    expect(Array.from((await readCachedUnits(dir, key, 3))!)).toEqual([1.5, -2, 3]);
    expect(await readCachedUnits(dir, key, 4)).toBeNull();
    expect(await readCachedUnits(dir, 'cd'.repeat(32), 3)).toBeNull();
  });
});

describe('fingerprintGraph', () => {
  it('changes with the graph content and with the mtime of an external data file', async () => {
    const f = await folder(true);
    const data = f.transformer.externalData.map((d) => d.path);
    expect(data).toHaveLength(1);
    const first = await fingerprintGraph(f.transformer.path, data);
    expect(await fingerprintGraph(f.transformer.path, data)).toBe(first);
    await utimes(data[0]!, new Date(), new Date(Date.now() + 5000));
    const touched = await fingerprintGraph(f.transformer.path, data);
    expect(touched).not.toBe(first);
    const bytes = await readFile(f.transformer.path);
    await appendFile(f.transformer.path, Buffer.from([0]));
    expect(await fingerprintGraph(f.transformer.path, data)).not.toBe(touched);
    await writeFile(f.transformer.path, bytes);
  });
});
