import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultQwen3TokenizerDir } from '@moral-plantain/model-runtime';
import { buildModelFolder, buildTinyModelFolder, planModelBuild } from '@moral-plantain/model-builder';
import { describeStudyError, mergeShards, resolveRunSettings, runFolder, runShard, runStudy, type RunSettings, type Shard, type StudyError, type StudyProgress } from '../src/index.js';

const STIMULI = path.join(import.meta.dirname, 'fixtures', 'four-pairs.yaml');
const quiet: StudyProgress = { update: () => undefined, log: () => undefined, finish: () => undefined };

function settings(out: string, extra: Record<string, unknown> = {}): RunSettings {
  const resolved = resolveRunSettings({ stimuli: STIMULI, permutations: 200, splits: 10, ...extra }, { out });
  if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
  return resolved.right;
}

async function shard(out: string, index: number, count: number, extra: Record<string, unknown> = {}) {
  const result = await runShard({ ...settings(out, extra), shard: { index, count } as Shard }, { progress: quiet })();
  if (E.isLeft(result)) throw new Error(describeStudyError(result.left).message);
  return result.right;
}

async function merged(dirs: string[], out: string): Promise<E.Either<StudyError, unknown>> {
  return mergeShards(dirs, { out, progress: quiet })();
}

/** The files of a run folder as a reader compares them: every published file, README.md without its time, run.json without times, paths and prompt counts. */
function comparable(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const manifest = JSON.parse(readFileSync(path.join(dir, 'outputs.json'), 'utf8')) as { files: { path: string }[] };
  for (const { path: file } of manifest.files) files[file] = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
  files['README.md'] = readFileSync(path.join(dir, 'README.md'), 'utf8').replace(/\| finished \| [^|]+ \|/, '| finished | (time) |');
  const { createdAt: _c, timings: _t, prompts: _p, settings: s, ...record } = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
  files['run.json'] = JSON.stringify({ ...record, settings: { ...s, out: '(folder)' } });
  return files;
}

describe('run --shard and merge on a tiny model', () => {
  let root: string;
  let tiny: string;
  let whole: string;
  let shared: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'mp-shards-'));
    // Built once here; most runs below name it as their model, so only the embedded-model test builds one per shard.
    tiny = path.join(root, 'tiny');
    if (E.isLeft(await buildTinyModelFolder(tiny, defaultQwen3TokenizerDir()))) throw new Error('the tiny model did not build');
    whole = path.join(root, 'whole');
    shared = path.join(root, 'shared');
    const run = await runStudy(settings(whole, { model: tiny }), { progress: quiet })();
    if (E.isLeft(run)) throw new Error(describeStudyError(run.left).message);
    // Three shards at once into one folder, shard 2 twice at once.
    await Promise.all([shard(shared, 1, 3, { model: tiny }), shard(shared, 2, 3, { model: tiny }), shard(shared, 2, 3, { model: tiny }), shard(shared, 3, 3, { model: tiny })]);
  }, 120_000);

  it('writes only per-prompt cache entries and one record per shard, and no outputs', () => {
    const folder = runFolder(shared);
    expect(readdirSync(folder.cache.shards).sort()).toEqual(['1-of-3.json', '2-of-3.json', '3-of-3.json']);
    const entries = readdirSync(folder.cache.prompts).flatMap((d) => readdirSync(path.join(folder.cache.prompts, d)));
    expect(entries.filter((f) => f.endsWith('.safetensors'))).toHaveLength(8);
    expect(entries.filter((f) => !f.endsWith('.safetensors'))).toEqual([]);
    expect(existsSync(folder.results)).toBe(false);
    expect(existsSync(folder.lock)).toBe(false);
    // Each shard's working folder (where it taps the transformer) is gone.
    expect(readdirSync(folder.cache.work)).toEqual([]);
    const records = [1, 2, 3].map((i) => JSON.parse(readFileSync(path.join(folder.cache.shards, `${i}-of-3.json`), 'utf8')));
    expect(records.map((r) => [r.batches.first, r.batches.end, r.prompts.total])).toEqual([
      [0, 2, 2],
      [2, 5, 3],
      [5, 8, 3],
    ]);
  });

  it('merges into a folder identical to the undivided run, timestamps aside', async () => {
    const result = await merged([shared], shared);
    if (E.isLeft(result)) throw new Error(describeStudyError(result.left).message);
    expect(comparable(shared)).toEqual(comparable(whole));
    const record = JSON.parse(readFileSync(path.join(shared, 'run.json'), 'utf8'));
    expect(record.prompts).toEqual({ total: 8, computed: 8, cached: 0 });
    expect(record.settings.shard).toBeNull();
  });

  it('merges shards of separate folders into a new one; a rerun shard computes nothing', async () => {
    const [a, b, out] = ['a', 'b', 'merged'].map((name) => path.join(root, name)) as [string, string, string];
    await shard(a, 1, 2, { model: tiny });
    await shard(b, 2, 2, { model: tiny });
    const again = await shard(b, 2, 2, { model: tiny });
    expect(again.prompts).toEqual({ total: 4, computed: 0, cached: 4 });
    expect(again.device).toBeNull();
    const result = await merged([a, b], out);
    if (E.isLeft(result)) throw new Error(describeStudyError(result.left).message);
    expect(comparable(out)).toEqual(comparable(whole));
    // The merged folder's cache holds every prompt: a run into it computes none.
    const rerun = await runStudy(settings(out, { model: tiny }), { progress: quiet })();
    if (E.isLeft(rerun)) throw new Error(describeStudyError(rerun.left).message);
    expect(rerun.right.prompts).toEqual({ total: 8, computed: 0, cached: 8 });
  }, 60_000);

  it('refuses shards of different settings, naming what differs, and writes nothing', async () => {
    const dir = path.join(root, 'seeds');
    await shard(dir, 1, 2, { model: tiny, seed: 0 });
    await shard(dir, 2, 2, { model: tiny, seed: 1 });
    const result = await merged([dir], dir);
    expect(E.isLeft(result) && result.left._tag).toBe('Shards');
    const message = E.isLeft(result) ? describeStudyError(result.left).message : '';
    expect(message).toMatch(/^The shards are of different runs and cannot be merged: seed: 0 vs 1; /);
    expect(existsSync(runFolder(dir).results)).toBe(false);
  });

  it('refuses shards of different models, and a merge with shards missing', async () => {
    const other = path.join(root, 'tiny-seed-1');
    const plan = await planModelBuild({ out: other, preset: 'tiny', seed: 1, defaultTokenizerDir: defaultQwen3TokenizerDir() });
    if (E.isLeft(plan) || E.isLeft(await buildModelFolder(plan.right))) throw new Error('the second tiny model did not build');
    const dir = path.join(root, 'models');
    await shard(dir, 1, 3, { model: tiny });
    const missing = await merged([dir], dir);
    expect(E.isLeft(missing) ? describeStudyError(missing.left).message : '').toBe(`Shards 2/3; 3/3 of 3 are missing from ${dir}.`);
    await shard(dir, 2, 3, { model: other });
    const result = await merged([dir], dir);
    const message = E.isLeft(result) ? describeStudyError(result.left).message : '';
    expect(message).toContain(`model: ${JSON.stringify(tiny)} vs ${JSON.stringify(other)}`);
    expect(message).toContain('model.weightSeed: 0 vs 1');
  });
});
