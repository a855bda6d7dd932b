import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_STIMULI } from './fixtures/fault-run.js';
import { addToHubCache } from '@moral-plantain/references';
import { writeTinyPipeline } from './fixtures/hub-checkpoint.js';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const killAt = path.join(import.meta.dirname, 'fixtures', 'kill-at.mjs');
const REPO = 'black-forest-labs/FLUX.2-klein-tiny';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const PARTIAL = 'org/partly-downloaded';
const root = mkdtempSync(path.join(tmpdir(), 'mp-hub-run-'));
const models = path.join(root, 'ours', 'models');
// A clean environment: the Hub cache and our model cache both in the temporary folder.
const env = { ...process.env, HF_HUB_CACHE: path.join(root, 'hf', 'hub'), MORAL_PLANTAIN_CACHE: path.join(root, 'ours'), HF_HOME: '', XDG_CACHE_HOME: '' };
const run = (out: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'run', '--out', path.join(root, out), '--stimuli', FAULT_STIMULI, '--permutations', '16', '--splits', '0', '--resolution', '64', ...args], { encoding: 'utf8', env });
const patch = (out: string) => spawnSync(process.execPath, [bin, 'patch', path.join(root, out), '--k', '3', '--sets', '3'], { encoding: 'utf8', env });
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
const runJson = (out: string) => JSON.parse(readFileSync(path.join(root, out, 'run.json'), 'utf8'));

beforeAll(async () => {
  const download = path.join(root, 'download');
  await writeTinyPipeline(download);
  await addToHubCache(env.HF_HUB_CACHE, REPO, COMMIT, download);
  // What `hf download --include 'transformer/*'` leaves: the transformer without its text encoder.
  rmSync(path.join(download, 'text_encoder'), { recursive: true });
  await addToHubCache(env.HF_HUB_CACHE, PARTIAL, COMMIT, download);
  rmSync(download, { recursive: true });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('run --model <Hugging Face repo id> from a Hub-layout cache', () => {
  it('asks a checkpoint whose text encoder is too shallow for the default text layers to name them, and builds nothing', () => {
    const res = run('refused', '--model', REPO);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("The text encoder has 3 decoder layers (hidden states 0 to 3): too few for FLUX.2 klein's text layers 9, 18, 27");
    expect(res.stderr).toContain('e.g. --text-layers 1,2,3');
    expect(readdirSync(models)).toEqual([]);
  });

  it('says a snapshot a partial download left lacks its text encoder, and how to download the rest (run and model build alike)', () => {
    for (const res of [run('partial', '--model', PARTIAL, '--text-layers', '1,2,3'), cli('model', 'build', '--from', PARTIAL, '--out', path.join(root, 'partial-model'))]) {
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('the pipeline folder has no text_encoder/ folder');
      expect(res.stderr).toContain(`The snapshot of ${PARTIAL} in the Hugging Face cache (commit ${COMMIT.slice(0, 12)}) lacks files the build needs`);
      expect(res.stderr).toContain(`hf download ${PARTIAL}`);
      expect(res.stderr).not.toContain('base model');
    }
    expect(readdirSync(models)).toEqual([]);
  });

  it('never trusts a build killed with -9 just before it is published', () => {
    // The building folder is complete (its model.json written) but not yet renamed to its key.
    const killed = spawnSync(process.execPath, ['--import', killAt, bin, 'run', '--out', path.join(root, 'killed'), '--model', REPO, '--text-layers', '1,2,3'], {
      encoding: 'utf8',
      env: { ...env, KILL_ROOT: models, KILL_PATH: '^[0-9a-f]{64}$' },
    });
    expect(killed.signal).toBe('SIGKILL');
    const left = readdirSync(models);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((name) => name.startsWith('.'))).toBe(true);
  });

  let built = '';
  let builtAt = 0;
  it('builds the snapshot once into the model cache (removing what a killed build left), records the repo id, revision and commit, and the card names the repo as base model', () => {
    const res = run('first', '--model', REPO, '--text-layers', '1,2,3');
    expect(res.stderr).toMatch(new RegExp(`model: building ${REPO} at main \\(commit ${COMMIT.slice(0, 12)}\\) into `));
    expect(res.stderr).toMatch(new RegExp(`model: built ${REPO} at main \\(commit ${COMMIT.slice(0, 12)}\\) in [\\d.]+ s`));
    expect(res.status).toBe(0);
    const [key, ...others] = readdirSync(models);
    expect(others).toEqual([]);
    built = path.join(models, key!);
    builtAt = statSync(path.join(built, 'model.json')).mtimeMs;
    const record = runJson('first');
    expect(record.modelSource).toEqual({ kind: 'hub', repoId: REPO, revision: 'main', commit: COMMIT, snapshot: path.join(env.HF_HUB_CACHE, 'models--black-forest-labs--FLUX.2-klein-tiny', 'snapshots', COMMIT), built, key, reused: false });
    expect(record.model).toMatchObject({ name: 'FLUX.2-klein-tiny', baseModel: REPO, kind: 'pretrained' });
    expect(record.settings).toMatchObject({ model: REPO, revision: null, textLayers: [1, 2, 3] });
    expect(JSON.parse(readFileSync(path.join(built, 'model.json'), 'utf8')).textEncoder.config.outputLayers).toEqual([1, 2, 3]);
    const card = readFileSync(path.join(root, 'first', 'README.md'), 'utf8');
    expect(card.slice(0, card.indexOf('\n---', 3))).toContain(`base_model: ${REPO}`);
  });

  it('reuses the built folder on the next run (no rebuild) and probes it the same', () => {
    const res = run('second', '--model', REPO, '--text-layers', '1,2,3', '--revision', 'main');
    expect(res.status).toBe(0);
    expect(res.stderr).toContain(`model: ${REPO} at main (commit ${COMMIT.slice(0, 12)}), built before: reusing ${built}`);
    expect(res.stderr).not.toMatch(/model: build/);
    expect(statSync(path.join(built, 'model.json')).mtimeMs).toBe(builtAt);
    expect(readdirSync(models)).toEqual([path.basename(built)]);
    expect(runJson('second').modelSource).toMatchObject({ repoId: REPO, revision: 'main', commit: COMMIT, built, reused: true });
    expect(runJson('second').settings.revision).toBe('main');
    const results = (out: string) => JSON.parse(readFileSync(path.join(root, out, 'results.json'), 'utf8')).units;
    expect(results('second')).toEqual(results('first'));
  });

  it('patches a run made from a repo id with the folder it built, and builds that again from the recorded commit when it is gone', () => {
    const patched = patch('first');
    expect(patched.status, patched.stderr).toBe(0);
    expect(patched.stderr).toContain(`model: ${REPO}, as the run built it: ${built}`);
    rmSync(built, { recursive: true });
    const rebuilt = patch('second');
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toMatch(new RegExp(`model: building ${REPO} at ${COMMIT} \\(commit ${COMMIT.slice(0, 12)}\\) into ${built}`));
    expect(readdirSync(models)).toEqual([path.basename(built)]);
  });

  it('draws an image with the same built folder (generate --model <repo id> takes the same build options)', () => {
    const png = path.join(root, 'cat.png');
    const res = cli('generate', 'A photo of a cat', '--model', REPO, '--text-layers', '1,2,3', '--steps', '1', '--resolution', '64', '--out', png);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toContain(`built before: reusing ${built}`);
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(readdirSync(models)).toEqual([path.basename(built)]);
  });

  it('records where a sharded run\'s model was built from in each shard and in the merged run.json', () => {
    for (const shard of ['1/2', '2/2']) expect(run('sharded', '--model', REPO, '--text-layers', '1,2,3', '--shard', shard).status).toBe(0);
    const merged = cli('merge', path.join(root, 'sharded'));
    expect(merged.status, merged.stderr).toBe(0);
    expect(runJson('sharded').modelSource).toMatchObject({ kind: 'hub', repoId: REPO, commit: COMMIT, built, reused: true });
  });
});
