import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostName } from '@moral-plantain/formats';
import {
  CACHE_ENTRY_FILE,
  cachedModelBuild,
  describeModelBuildProblem,
  describeModelCacheProblem,
  listModelCache,
  planModelCacheRemoval,
  removeFromModelCache,
  resolveModelSource,
  type ModelBuildChoices,
  type ModelCacheListing,
  type ModelCacheRemovalRequest,
  type ModelSource,
} from '../../src/index.js';
import { writeTinyPipelineFolder } from '../model-folder/tiny-pipeline-folder.js';
import { addToHubCache } from '@moral-plantain/references';

const REPO = 'black-forest-labs/FLUX.2-klein-tiny';
const OTHER_REPO = 'someone/klein-tiny-finetune';
const COMMIT = 'c'.repeat(40);
const DAY = 86_400_000;
// Past Linux's pid_max: a process that is gone.
const DEAD_PID = 4194304;
const float: ModelBuildChoices = { textLayers: [1, 2, 3] };
const int8: ModelBuildChoices = { textLayers: [1, 2, 3], quantize: 'int8', quantizationBlockSize: 16 };

let root: string;
let hub: string;
let pipeline: string;
/** The cache built once (four entries); each test works on its own copy. */
let built: string;
const keys = { float: '', int8: '', other: '', folder: '' };

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'model-cache-entries-'));
  pipeline = path.join(root, 'pipeline');
  await writeTinyPipelineFolder(pipeline, { isDistilled: false });
  hub = path.join(root, 'hub');
  await addToHubCache(hub, REPO, COMMIT, pipeline);
  await addToHubCache(hub, OTHER_REPO, COMMIT, pipeline);
  built = path.join(root, 'built');
  keys.float = await build(await source(REPO), float, built);
  keys.int8 = await build(await source(REPO), int8, built);
  keys.other = await build(await source(OTHER_REPO), float, built);
  keys.folder = await build(await source(pipeline), float, built);
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

async function source(value: string): Promise<ModelSource> {
  const resolved = await resolveModelSource(value, undefined, { HF_HUB_CACHE: hub });
  if (E.isLeft(resolved)) throw new Error(describeModelBuildProblem(resolved.left).message);
  return resolved.right;
}

async function build(from: ModelSource, choices: ModelBuildChoices, cache: string): Promise<string> {
  const done = await cachedModelBuild(from, choices, { defaultTokenizerDir: null, env: { MORAL_PLANTAIN_CACHE: cache } });
  if (E.isLeft(done)) throw new Error(done.left.map((p) => describeModelBuildProblem(p).message).join('\n'));
  return done.right.key;
}

/** A copy of the built cache, modification times kept. */
async function cacheCopy(name: string): Promise<string> {
  const cache = path.join(root, name);
  await cp(built, cache, { recursive: true, preserveTimestamps: true });
  return cache;
}

async function list(cache: string): Promise<ModelCacheListing> {
  const listing = await listModelCache({ MORAL_PLANTAIN_CACHE: cache });
  if (E.isLeft(listing)) throw new Error(describeModelCacheProblem(listing.left).message);
  return listing.right;
}

/** Plans and carries out a removal; the plan's problems as messages. */
async function remove(cache: string, request: ModelCacheRemovalRequest) {
  const plan = planModelCacheRemoval(await list(cache), request);
  if (E.isLeft(plan)) return { problems: plan.left.map((p) => describeModelCacheProblem(p).message) };
  const removed = await removeFromModelCache(plan.right);
  if (E.isLeft(removed)) throw new Error(describeModelCacheProblem(removed.left).message);
  return { plan: plan.right, removed: removed.right };
}

/** Sum of the sizes of the regular files below `dir`, walked here independently of the code under test. */
function bytesOfFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => statSync(path.join(dir, name)))
    .filter((info) => info.isFile())
    .reduce((sum, info) => sum + info.size, 0);
}

const ago = (days: number) => new Date(Date.now() - days * DAY);
const touch = (file: string, when: Date) => utimes(file, when, when);

describe('listing the model cache', () => {
  it('shows each entry with what it was built from, its build options, what model.json holds and a size equal to the sum of its files', async () => {
    const listing = await list(built);
    expect(listing).toMatchObject({ cacheDir: built, modelsDir: path.join(built, 'models'), exists: true, builds: [], leftovers: [] });
    expect(listing.entries.map((e) => e.key).sort()).toEqual(Object.values(keys).sort());
    const entry = (key: string) => listing.entries.find((e) => e.key === key)!;
    const snapshot = path.join(hub, 'models--black-forest-labs--FLUX.2-klein-tiny', 'snapshots', COMMIT);
    expect(entry(keys.float).record).toMatchObject({ key: keys.float, source: { kind: 'hub', repoId: REPO, revision: 'main', commit: COMMIT, snapshot }, build: float });
    expect(entry(keys.float).model).toEqual({ name: expect.any(String), baseModel: REPO, weights: 'float', blockSize: null, textLayers: [1, 2, 3], vae: true });
    expect(entry(keys.int8).record?.build).toEqual(int8);
    expect(entry(keys.int8).model).toMatchObject({ weights: 'int8', blockSize: 16, textLayers: [1, 2, 3] });
    expect(entry(keys.other).record?.source).toMatchObject({ kind: 'hub', repoId: OTHER_REPO });
    expect(entry(keys.folder).record?.source).toMatchObject({ kind: 'folder', dir: path.resolve(pipeline), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const e of listing.entries) {
      expect(e.dir).toBe(path.join(built, 'models', e.key));
      expect(e.bytes).toBe(bytesOfFiles(e.dir));
      expect(e.files).toBe(readdirSync(e.dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(e.dir, f)).isFile()).length);
      expect(e.bytes).toBeGreaterThan(100_000);
      expect(e.builtAt.getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
      expect(e.lastUsedAt.getTime()).toBeGreaterThanOrEqual(e.builtAt.getTime() - 1000);
    }
    expect(listing.bytes).toBe(listing.entries.reduce((sum, e) => sum + e.bytes, 0));
    // The int8 entry is smaller than the float one of the same snapshot.
    expect(entry(keys.int8).bytes).toBeLessThan(entry(keys.float).bytes);
  });

  it('records a reuse as the last use, and keeps when it was built', async () => {
    const cache = await cacheCopy('reuse');
    const dir = path.join(cache, 'models', keys.float);
    await touch(path.join(dir, CACHE_ENTRY_FILE), ago(10));
    const before = (await list(cache)).entries.find((e) => e.key === keys.float)!;
    expect(Date.now() - before.lastUsedAt.getTime()).toBeGreaterThan(9.9 * DAY);
    const modelJson = statSync(path.join(dir, 'model.json')).mtimeMs;
    expect(await build(await source(REPO), float, cache)).toBe(keys.float);
    const after = (await list(cache)).entries.find((e) => e.key === keys.float)!;
    expect(Date.now() - after.lastUsedAt.getTime()).toBeLessThan(60_000);
    expect(after.builtAt).toEqual(before.builtAt);
    expect(statSync(path.join(dir, 'model.json')).mtimeMs).toBe(modelJson);
    // The entries listed first are the ones used last.
    expect((await list(cache)).entries[0]?.key).toBe(keys.float);
  });

  it('lists an entry without cache-entry.json as of unknown source, and records its source when a build reuses it', async () => {
    const cache = await cacheCopy('unknown');
    const dir = path.join(cache, 'models', keys.float);
    await rm(path.join(dir, CACHE_ENTRY_FILE));
    await touch(path.join(dir, 'model.json'), ago(3));
    const unknown = (await list(cache)).entries.find((e) => e.key === keys.float)!;
    expect(unknown.record).toBeNull();
    expect(unknown.model?.baseModel).toBe(REPO);
    expect(unknown.builtAt.getTime()).toBe(statSync(path.join(dir, 'model.json')).mtime.getTime());
    expect(unknown.lastUsedAt).toEqual(unknown.builtAt);
    await build(await source(REPO), float, cache);
    const known = (await list(cache)).entries.find((e) => e.key === keys.float)!;
    expect(known.record).toMatchObject({ source: { repoId: REPO, commit: COMMIT }, build: float, builtAt: unknown.builtAt.toISOString() });
    expect(Date.now() - known.lastUsedAt.getTime()).toBeLessThan(60_000);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is empty, not an error, for a cache that does not exist', async () => {
    const listing = await list(path.join(root, 'nowhere'));
    expect(listing).toMatchObject({ exists: false, entries: [], builds: [], leftovers: [], bytes: 0 });
    expect(existsSync(path.join(root, 'nowhere'))).toBe(false);
  });
});

describe('removing from the model cache', () => {
  it('removes one entry by a key prefix of 8 characters and frees its bytes', async () => {
    const cache = await cacheCopy('by-key');
    const bytes = bytesOfFiles(path.join(cache, 'models', keys.int8));
    const done = await remove(cache, { targets: [keys.int8.slice(0, 8)] });
    expect(done.removed?.entries.map((e) => e.key)).toEqual([keys.int8]);
    expect(done.removed?.bytes).toBe(bytes);
    expect(readdirSync(path.join(cache, 'models')).sort()).toEqual([keys.float, keys.other, keys.folder].sort());
    // A full key, in capitals, works too.
    expect((await remove(cache, { targets: [keys.other.toUpperCase()] })).removed?.entries).toHaveLength(1);
  });

  it('removes every entry built from a repo id, or from a pipeline folder, and nothing else', async () => {
    const cache = await cacheCopy('by-repo');
    const done = await remove(cache, { targets: [REPO] });
    expect(done.removed?.entries.map((e) => e.key).sort()).toEqual([keys.float, keys.int8].sort());
    expect(readdirSync(path.join(cache, 'models')).sort()).toEqual([keys.other, keys.folder].sort());
    const folder = await remove(cache, { targets: [pipeline] });
    expect(folder.removed?.entries.map((e) => e.key)).toEqual([keys.folder]);
    expect(readdirSync(path.join(cache, 'models'))).toEqual([keys.other]);
  });

  it('removes the entries last used more than N days ago, alone or among the named ones', async () => {
    const cache = await cacheCopy('older-than');
    const models = path.join(cache, 'models');
    for (const key of [keys.float, keys.other]) await touch(path.join(models, key, CACHE_ENTRY_FILE), ago(40));
    await touch(path.join(models, keys.int8, CACHE_ENTRY_FILE), ago(20));
    const named = await remove(cache, { targets: [REPO], olderThanDays: 30 });
    expect(named.removed?.entries.map((e) => e.key)).toEqual([keys.float]);
    const alone = await remove(cache, { olderThanDays: 10 });
    expect(alone.removed?.entries.map((e) => e.key).sort()).toEqual([keys.int8, keys.other].sort());
    expect(readdirSync(models)).toEqual([keys.folder]);
  });

  it('plans without removing: a dry run is the plan alone', async () => {
    const cache = await cacheCopy('dry-run');
    const plan = planModelCacheRemoval(await list(cache), { all: true });
    expect(E.isRight(plan) && plan.right.entries).toHaveLength(4);
    expect(E.isRight(plan) && plan.right.bytes).toBe(bytesOfFiles(path.join(cache, 'models')));
    expect(readdirSync(path.join(cache, 'models')).sort()).toEqual(Object.values(keys).sort());
  });

  it('names every problem with what to remove at once: unknown targets, short and ambiguous prefixes, a bad age, nothing named', async () => {
    const cache = await cacheCopy('problems');
    // A killed build of a key sharing the first 8 characters of an entry's key.
    const twin = keys.float.slice(0, 8) + 'f'.repeat(56) === keys.float ? keys.float.slice(0, 8) + 'e'.repeat(56) : keys.float.slice(0, 8) + 'f'.repeat(56);
    await mkdir(path.join(cache, 'models', `.${twin}.building-${hostName()}-${DEAD_PID}-0123456789ab`));
    const done = await remove(cache, { targets: ['nobody/nothing', 'abc', keys.float.slice(0, 8), path.join(root, 'no-such-folder')], olderThanDays: -1 });
    expect(done.problems).toEqual([
      '--older-than -1 is not a number of days.',
      `Nothing in the model cache ${path.join(cache, 'models')} is nobody/nothing: no entry has that key, nor was built from that repo id or pipeline folder.`,
      'The key prefix abc is too short to name a cache entry.',
      `The key prefix ${keys.float.slice(0, 8)} names 2 entries: ${[keys.float, twin].sort().join(', ')}.`,
      `Nothing in the model cache ${path.join(cache, 'models')} is ${path.join(root, 'no-such-folder')}: no entry has that key, nor was built from that repo id or pipeline folder.`,
    ]);
    expect((await remove(cache, {})).problems).toEqual(['Nothing to remove was named.']);
    expect(readdirSync(path.join(cache, 'models'))).toHaveLength(5);
  });

  it('lists and removes the folders of a killed build, and leaves a running build and the entry it is writing alone', async () => {
    const cache = await cacheCopy('builds');
    const models = path.join(cache, 'models');
    const dead = `.${keys.other}.building-${hostName()}-${DEAD_PID}-0123456789ab`;
    const deadStaging = `.${dead}.partial-${hostName()}-${DEAD_PID}-0123456789ab`;
    const live = `.${keys.float}.building-${hostName()}-${process.pid}-0123456789ab`;
    for (const name of [dead, deadStaging, live]) {
      await mkdir(path.join(models, name));
      await writeFile(path.join(models, name, 'transformer.onnx'), 'half written');
    }
    const listing = await list(cache);
    expect(listing.entries).toHaveLength(4);
    expect(listing.builds.map(({ key, state, dirs, bytes }) => ({ key, state, dirs, bytes })).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      [
        { key: keys.other, state: 'gone', dirs: [path.join(models, deadStaging), path.join(models, dead)], bytes: 24 },
        { key: keys.float, state: 'running', dirs: [path.join(models, live)], bytes: 12 },
      ].sort((a, b) => a.key.localeCompare(b.key)),
    );
    const incomplete = await remove(cache, { incomplete: true });
    expect(incomplete.removed).toMatchObject({ entries: [], builds: [{ key: keys.other, state: 'gone' }], bytes: 24 });
    expect(incomplete.plan?.liveBuilds.map((b) => b.key)).toEqual([keys.float]);
    expect(existsSync(path.join(models, dead)) || existsSync(path.join(models, deadStaging))).toBe(false);
    // The entry whose key a live build is writing is refused, by key or with --all; the others go.
    const all = await remove(cache, { all: true });
    expect(all.plan?.refused.map((e) => e.key)).toEqual([keys.float]);
    expect(all.removed?.entries.map((e) => e.key).sort()).toEqual([keys.int8, keys.other, keys.folder].sort());
    expect(readdirSync(models).sort()).toEqual([keys.float, live].sort());
  });

  it('never lists what an interrupted removal left as an entry, and the next removal deletes it', async () => {
    const cache = await cacheCopy('removing');
    const models = path.join(cache, 'models');
    // A removal killed after its rename: the whole entry under its removing name.
    const interrupted = `.${keys.int8}.removing-${hostName()}-${DEAD_PID}-0123456789ab`;
    await cp(path.join(models, keys.int8), path.join(models, interrupted), { recursive: true });
    await rm(path.join(models, keys.int8), { recursive: true });
    // A removal still under way in this process.
    const underWay = `.${keys.other}.removing-${hostName()}-${process.pid}-0123456789ab`;
    await mkdir(path.join(models, underWay));
    const listing = await list(cache);
    expect(listing.entries.map((e) => e.key).sort()).toEqual([keys.float, keys.other, keys.folder].sort());
    expect(listing.leftovers.map(({ kind, key, state }) => ({ kind, key, state })).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      [
        { kind: 'removing', key: keys.int8, state: 'gone' },
        { kind: 'removing', key: keys.other, state: 'running' },
      ].sort((a, b) => a.key.localeCompare(b.key)),
    );
    const done = await remove(cache, { targets: [keys.folder] });
    expect(done.removed?.entries.map((e) => e.key)).toEqual([keys.folder]);
    expect(done.removed?.leftovers.map((l) => l.key)).toEqual([keys.int8]);
    expect(readdirSync(models).sort()).toEqual([keys.float, keys.other, underWay].sort());
  });

  it('removes a <key> folder without model.json (never an entry) with --incomplete', async () => {
    const cache = await cacheCopy('damaged');
    const models = path.join(cache, 'models');
    await rm(path.join(models, keys.folder, 'model.json'));
    const listing = await list(cache);
    expect(listing.entries.map((e) => e.key)).not.toContain(keys.folder);
    expect(listing.leftovers).toMatchObject([{ kind: 'damaged', key: keys.folder }]);
    const done = await remove(cache, { incomplete: true });
    expect(done.removed?.leftovers.map((l) => l.key)).toEqual([keys.folder]);
    expect(readdirSync(models)).toHaveLength(3);
    expect(JSON.parse(readFileSync(path.join(models, keys.float, CACHE_ENTRY_FILE), 'utf8')).key).toBe(keys.float);
  });
});
