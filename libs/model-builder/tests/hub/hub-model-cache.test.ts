import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostName, readModelManifest } from '@moral-plantain/formats';
import { cachedModelBuild, describeModelBuildProblem, modelCacheKey, hubCacheDir, moralPlantainCacheDir, resolveHubSnapshot, resolveModelSource, type ModelSource } from '../../src/index.js';
import { writeTinyPipelineFolder } from '../model-folder/tiny-pipeline-folder.js';
import { addToHubCache } from '@moral-plantain/references';

const REPO = 'black-forest-labs/FLUX.2-klein-tiny';
const COMMIT = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
let root: string;
let hub: string;
let pipeline: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hub-cache-'));
  pipeline = path.join(root, 'download');
  await writeTinyPipelineFolder(pipeline, { isDistilled: false });
  hub = path.join(root, 'hf-home', 'hub');
  await addToHubCache(hub, REPO, COMMIT, pipeline);
  await addToHubCache(hub, REPO, OTHER, pipeline, 'v2');
});
afterAll(() => rm(root, { recursive: true, force: true }));

const choices = { textLayers: [1, 2, 3] };

async function source(env: Record<string, string>, revision?: string): Promise<ModelSource> {
  const resolved = await resolveModelSource(REPO, revision, env);
  if (E.isLeft(resolved)) throw new Error(describeModelBuildProblem(resolved.left).message);
  return resolved.right;
}

describe('a Hub repo id in the Hugging Face cache', () => {
  it('finds the cache as huggingface_hub does: HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hubCacheDir({ HUGGINGFACE_HUB_CACHE: '/legacy', HF_HOME: '/b' })).toBe('/legacy');
    expect(hubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/x' })).toBe('/b/hub');
    expect(hubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/huggingface/hub');
    expect(hubCacheDir({})).toMatch(/\.cache\/huggingface\/hub$/);
    expect(moralPlantainCacheDir({ MORAL_PLANTAIN_CACHE: '/m', XDG_CACHE_HOME: '/x' })).toBe('/m');
    expect(moralPlantainCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/moral-plantain');
  });

  it('resolves refs/main, a branch and a commit hash to snapshots/<commit>, whose files are symlinks into blobs/', async () => {
    for (const env of [{ HF_HUB_CACHE: hub }, { HF_HOME: path.join(root, 'hf-home') }]) {
      const main = await resolveHubSnapshot(REPO, undefined, env);
      expect(main).toEqual(E.right({ repoId: REPO, revision: 'main', commit: COMMIT, dir: path.join(hub, 'models--black-forest-labs--FLUX.2-klein-tiny', 'snapshots', COMMIT) }));
      if (E.isRight(main)) {
        const link = path.join(main.right.dir, 'transformer', 'config.json');
        expect(lstatSync(link).isSymbolicLink()).toBe(true);
        expect(readlinkSync(link)).toMatch(/^\.\.\/\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
      }
    }
    expect(await resolveHubSnapshot(REPO, 'v2', { HF_HUB_CACHE: hub })).toMatchObject({ right: { commit: OTHER } });
    expect(await resolveHubSnapshot(REPO, OTHER, { HF_HUB_CACHE: hub })).toMatchObject({ right: { commit: OTHER, revision: OTHER } });
  });

  it('says how to download a repo or revision the cache lacks, and downloads nothing', async () => {
    const missing = await resolveModelSource('black-forest-labs/FLUX.2-klein-base-4B', undefined, { HF_HUB_CACHE: hub });
    expect(E.isLeft(missing) && describeModelBuildProblem(missing.left)).toEqual({
      message: `black-forest-labs/FLUX.2-klein-base-4B is not in the Hugging Face cache ${hub}: ${path.join(hub, 'models--black-forest-labs--FLUX.2-klein-base-4B')} does not exist.`,
      hint: 'Download it first with `hf download black-forest-labs/FLUX.2-klein-base-4B` (or `huggingface-cli download black-forest-labs/FLUX.2-klein-base-4B`); moral-plantain never downloads. If your cache is elsewhere, set HF_HUB_CACHE or HF_HOME.',
    });
    const revision = await resolveModelSource(REPO, 'v3', { HF_HUB_CACHE: hub });
    expect(E.isLeft(revision) && describeModelBuildProblem(revision.left).hint).toContain(`hf download ${REPO} --revision v3`);
    expect(existsSync(path.join(hub, 'models--black-forest-labs--FLUX.2-klein-base-4B'))).toBe(false);
  });
});

describe('the model cache', () => {
  it('builds a snapshot once, reuses it, and builds another entry for another revision or other options', async () => {
    const env = { HF_HUB_CACHE: hub, MORAL_PLANTAIN_CACHE: path.join(root, 'ours') };
    const builds: string[] = [];
    const options = { defaultTokenizerDir: null, env, onBuild: (dir: string) => builds.push(dir) };
    const first = await cachedModelBuild(await source(env), choices, options);
    if (E.isLeft(first)) throw new Error(first.left.map((p) => describeModelBuildProblem(p).message).join('\n'));
    expect(first.right).toMatchObject({ reused: false, dir: path.join(root, 'ours', 'models', first.right.key) });
    const manifest = await readModelManifest(first.right.dir);
    expect(E.isRight(manifest) && manifest.right?.baseModel).toBe(REPO);
    const built = statSync(path.join(first.right.dir, 'model.json')).mtimeMs;
    const again = await cachedModelBuild(await source(env), choices, options);
    expect(E.isRight(again) && again.right).toMatchObject({ reused: true, key: first.right.key });
    expect(statSync(path.join(first.right.dir, 'model.json')).mtimeMs).toBe(built);
    expect(builds).toHaveLength(1);
    const v2 = await cachedModelBuild(await source(env, 'v2'), choices, options);
    const layers = await cachedModelBuild(await source(env), { textLayers: [0, 1, 2] }, options);
    expect(E.isRight(v2) && E.isRight(layers) && new Set([first.right.key, v2.right.key, layers.right.key]).size).toBe(3);
    expect(builds).toHaveLength(3);
    // A plain pipeline folder is keyed by its content: touching a file makes a new entry.
    const folder = await resolveModelSource(pipeline, undefined, env);
    if (E.isLeft(folder)) throw new Error('folder');
    expect(folder.right.kind).toBe('folder');
    const fromFolder = await cachedModelBuild(folder.right, choices, options);
    expect(E.isRight(fromFolder) && fromFolder.right.key).not.toBe(first.right.key);
  });

  it('never trusts what a killed build left: its building folder is not the entry, and the next build removes it', async () => {
    const env = { HF_HUB_CACHE: hub, MORAL_PLANTAIN_CACHE: path.join(root, 'killed') };
    const src = await source(env);
    const key = modelCacheKey(src, choices);
    const models = path.join(root, 'killed', 'models');
    // What a build killed mid-way leaves (process 4194304 is past Linux's pid_max, so gone): a half-written building folder and its staging folder.
    const leftovers = [`.${key}.building-${hostName()}-4194304-0123456789ab`, `..${key}.building-${hostName()}-4194304-0123456789ab.partial-x-4194304-0123456789ab`];
    for (const dir of leftovers) {
      await mkdir(path.join(models, dir), { recursive: true });
      await writeFile(path.join(models, dir, 'transformer.onnx'), 'half');
    }
    const built = await cachedModelBuild(src, choices, { defaultTokenizerDir: null, env });
    expect(E.isRight(built) && built.right.reused).toBe(false);
    expect((await readdir(models)).sort()).toEqual([key]);
  });

  it('never trusts a folder under the key without model.json (a removal cut short): it is set aside and the build published', async () => {
    const env = { HF_HUB_CACHE: hub, MORAL_PLANTAIN_CACHE: path.join(root, 'broken') };
    const src = await source(env);
    const key = modelCacheKey(src, choices);
    const models = path.join(root, 'broken', 'models');
    await mkdir(path.join(models, key), { recursive: true });
    await writeFile(path.join(models, key, 'left-by-an-interrupted-rm'), 'half');
    const built = await cachedModelBuild(src, choices, { defaultTokenizerDir: null, env });
    expect(E.isRight(built) && built.right.reused).toBe(false);
    expect(existsSync(path.join(models, key, 'model.json'))).toBe(true);
    expect(existsSync(path.join(models, key, 'left-by-an-interrupted-rm'))).toBe(false);
    expect(await readdir(models)).toEqual([key]);
  });

  it('says a snapshot a partial download left lacks files, names them and how to download the rest, and builds nothing', async () => {
    const partial = path.join(root, 'partial-download');
    await cp(pipeline, partial, { recursive: true });
    await rm(path.join(partial, 'text_encoder'), { recursive: true });
    await addToHubCache(hub, 'org/partial', COMMIT, partial);
    const env = { HF_HUB_CACHE: hub, MORAL_PLANTAIN_CACHE: path.join(root, 'partial') };
    const src = await resolveModelSource('org/partial', undefined, env);
    if (E.isLeft(src)) throw new Error(describeModelBuildProblem(src.left).message);
    const built = await cachedModelBuild(src.right, choices, { defaultTokenizerDir: null, env });
    expect(E.isLeft(built) && built.left.map((p) => p._tag)).toEqual(['HubSnapshotIncomplete', 'PipelineFile']);
    const [incomplete, missing] = E.isLeft(built) ? built.left.map(describeModelBuildProblem) : [];
    expect(missing!.message).toContain('the pipeline folder has no text_encoder/ folder');
    expect(incomplete!.message).toContain(`The snapshot of org/partial in the Hugging Face cache (commit ${COMMIT.slice(0, 12)}) lacks files the build needs`);
    expect(incomplete!.hint).toContain('`hf download org/partial`');
    expect(existsSync(path.join(root, 'partial', 'models')) ? await readdir(path.join(root, 'partial', 'models')) : []).toEqual([]);
  });
});
