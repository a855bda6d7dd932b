import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeActivations } from '@moral-plantain/formats';
import { openModelFolder, runProbe, type ModelFolder, type ProbeOptions } from '../../src/index.js';
import { charTokenizer } from './fake-models.js';
import { tempDir, writeFakeFolder } from './fake-folder.js';

const pairs = Array.from({ length: 5 }, (_, i) => ({ id: `p${i}`, a: `good deed ${i}`, b: `bad deed ${i}` }));

async function folder(): Promise<ModelFolder> {
  const opened = await openModelFolder(await writeFakeFolder())();
  if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
  return opened.right;
}

function options(extra: Partial<ProbeOptions>): ProbeOptions {
  return { pairs, tokenize: charTokenizer(), taps: { unitWidth: 8 }, seed: 11, ...extra };
}

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of await readdir(dir)) if (sub !== 'embeddings') for (const file of await readdir(path.join(dir, sub))) out.push(path.join(dir, sub, file));
  return out.sort();
}

describe('the resumable probe cache', () => {
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
});
