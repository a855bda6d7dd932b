import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedModelBuild, resolveModelSource, type ModelBuildChoices } from '@moral-plantain/model-builder';
import { addToHubCache } from '@moral-plantain/references';
import { writeTinyPipeline } from './fixtures/hub-checkpoint.js';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const killAt = path.join(import.meta.dirname, 'fixtures', 'kill-at.mjs');
const REPO = 'black-forest-labs/FLUX.2-klein-tiny';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const root = mkdtempSync(path.join(tmpdir(), 'mp-model-cache-'));
const cacheDir = path.join(root, 'ours');
const models = path.join(cacheDir, 'models');
// A clean environment: the Hub cache and our model cache both in the temporary folder.
const env = { ...process.env, HF_HUB_CACHE: path.join(root, 'hf', 'hub'), MORAL_PLANTAIN_CACHE: cacheDir, HF_HOME: '', XDG_CACHE_HOME: '' };
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
// What a build killed with -9 leaves (pid 4194304 is past Linux's pid_max, so gone), beside a key of its own.
const killed = `.${'e'.repeat(64)}.building-${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-4194304-0123456789ab`;
const keys = { float: '', int8: '' };

beforeAll(async () => {
  const download = path.join(root, 'download');
  await writeTinyPipeline(download);
  await addToHubCache(env.HF_HUB_CACHE, REPO, COMMIT, download);
  rmSync(download, { recursive: true });
  const source = await resolveModelSource(REPO, undefined, env);
  if (E.isLeft(source)) throw new Error(source.left._tag);
  const build = async (choices: ModelBuildChoices) => {
    const built = await cachedModelBuild(source.right, choices, { defaultTokenizerDir: null, env });
    if (E.isLeft(built)) throw new Error(built.left.map((p) => p._tag).join(', '));
    return built.right.key;
  };
  keys.float = await build({ textLayers: [1, 2, 3] });
  keys.int8 = await build({ textLayers: [1, 2, 3], quantize: 'int8', quantizationBlockSize: 16 });
  mkdirSync(path.join(models, killed));
  writeFileSync(path.join(models, killed, 'transformer.onnx'), 'half written');
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The bytes of the regular files below `dir`, summed here. */
const bytesOf = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => statSync(path.join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((sum, s) => sum + s.size, 0);

describe('moral-plantain model cache', () => {
  it('lists each entry with its source, options, size, build and last use, the killed build apart, as a table and as JSON', () => {
    const text = cli('model', 'cache');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`model cache ${models}\n`);
    expect(text.stdout).toMatch(/^KEY +SOURCE +OPTIONS +SIZE +BUILT +LAST USED$/m);
    const row = (key: string) => text.stdout.split('\n').find((line) => line.startsWith(key.slice(0, 12))) ?? '';
    expect(row(keys.float)).toMatch(new RegExp(`^${keys.float.slice(0, 12)}  ${REPO} main \\(${COMMIT.slice(0, 12)}\\)  float, text layers 1,2,3 +[\\d.]+ MiB  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`));
    expect(row(keys.int8)).toContain('int8, blocks of 16, text layers 1,2,3');
    expect(row('e'.repeat(12))).toContain('killed build (pid 4194304 gone)');
    expect(text.stdout).toMatch(/\n2 entries, [\d.]+ MiB; folders that are not entries: 12 B\n$/);
    // --quiet: the tables alone.
    expect(cli('-q', 'model', 'cache').stdout).toMatch(/^KEY +SOURCE/);
    const json = cli('model', 'cache', '--json');
    expect(json.status).toBe(0);
    const listing = JSON.parse(json.stdout);
    expect(listing).toMatchObject({ cacheDir, modelsDir: models, exists: true, builds: [{ key: 'e'.repeat(64), state: 'gone', bytes: 12 }], leftovers: [] });
    expect(listing.entries.map((e: { key: string }) => e.key).sort()).toEqual([keys.float, keys.int8].sort());
    for (const entry of listing.entries) {
      expect(entry.bytes).toBe(bytesOf(path.join(models, entry.key)));
      expect(entry.record.source).toMatchObject({ kind: 'hub', repoId: REPO, revision: 'main', commit: COMMIT });
      expect(Date.parse(entry.lastUsedAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    }
  });

  it('removes by key prefix, repo id and --incomplete, says what and how many bytes, refuses what it cannot name, and a kill -9 mid-removal never leaves an entry half deleted', () => {
    const int8Bytes = bytesOf(path.join(models, keys.int8));
    const dry = cli('model', 'cache', 'remove', keys.int8.slice(0, 8), '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`would remove ${keys.int8.slice(0, 12)}  ${REPO} main (${COMMIT.slice(0, 12)})  int8, blocks of 16`);
    expect(dry.stdout).toContain(`would free `);
    expect(dry.stdout).toContain(`(${int8Bytes} bytes)`);
    expect(existsSync(path.join(models, keys.int8))).toBe(true);

    const wrong = cli('model', 'cache', 'remove', 'abc', 'nobody/nothing');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('The key prefix abc is too short to name a cache entry.');
    expect(wrong.stderr).toContain(`Nothing in the model cache ${models} is nobody/nothing`);
    expect(readdirSync(models)).toHaveLength(3);

    // A kill -9 before the rename leaves the entry whole; after it, never an entry, and the next removal finishes the job.
    const killedAt = (step: number) =>
      spawnSync(process.execPath, ['--import', killAt, bin, 'model', 'cache', 'remove', keys.int8.slice(0, 8)], { encoding: 'utf8', env: { ...env, KILL_ROOT: models, KILL_AT: String(step) } });
    expect(killedAt(1).signal).toBe('SIGKILL');
    expect(bytesOf(path.join(models, keys.int8))).toBe(int8Bytes);
    expect(killedAt(2).signal).toBe('SIGKILL');
    const interrupted = JSON.parse(cli('model', 'cache', '--json').stdout);
    expect(interrupted.entries.map((e: { key: string }) => e.key)).toEqual([keys.float]);
    expect(interrupted.leftovers).toMatchObject([{ kind: 'removing', key: keys.int8, state: 'gone', bytes: int8Bytes }]);
    expect(cli('model', 'cache').stdout).toMatch(new RegExp(`^${keys.int8.slice(0, 12)}  interrupted removal +[\\d.]+ MiB +\\.${keys.int8}\\.removing-`, 'm'));

    const floatBytes = bytesOf(path.join(models, keys.float));
    const byRepo = cli('model', 'cache', 'remove', REPO, '--incomplete', '--json');
    expect(byRepo.status).toBe(0);
    expect(JSON.parse(byRepo.stdout)).toMatchObject({ dryRun: false, bytes: floatBytes + int8Bytes + 12, entries: [{ key: keys.float }], leftovers: [{ key: keys.int8 }], builds: [{ key: 'e'.repeat(64) }] });
    expect(byRepo.stderr).toContain(`removed ${keys.float.slice(0, 12)}  ${REPO} main (${COMMIT.slice(0, 12)})  float, text layers 1,2,3 `);
    expect(byRepo.stderr).toContain(`removed ${keys.int8.slice(0, 12)}  interrupted removal`);
    expect(byRepo.stderr).toContain(`removed ${'e'.repeat(12)}  killed build (pid 4194304 gone)  12 B`);
    expect(byRepo.stderr).toContain(`(${floatBytes + int8Bytes + 12} bytes)`);
    expect(readdirSync(models)).toEqual([]);

    expect(cli('model', 'cache').stdout).toBe(`model cache ${models}: empty\n`);
    expect(cli('model', 'cache', 'remove', REPO).stdout).toBe(`model cache ${models}: empty, nothing to remove\n`);
    const nowhere = path.join(root, 'nowhere');
    const absent = spawnSync(process.execPath, [bin, 'model', 'cache'], { encoding: 'utf8', env: { ...env, MORAL_PLANTAIN_CACHE: '', XDG_CACHE_HOME: nowhere } });
    expect(absent.stdout).toBe(`model cache ${path.join(nowhere, 'moral-plantain', 'models')}: absent (nothing built yet)\n`);
  });
});
