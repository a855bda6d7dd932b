import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputs, completeOutputs, OUTPUTS_FILE, OUTPUTS_STAGING, publishOutputs, sha256, stageOutputs, writeFileAtomic } from '../src/index.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function folder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-outputs-'));
  dirs.push(dir);
  return dir;
}

/** Stages and publishes one set: each file's content is `<name> <generation>`. */
async function publishSet(dir: string, generation: number, names: readonly string[], kept: readonly string[] = []): Promise<void> {
  const staging = await stageOutputs(dir);
  for (const name of names) await writeFileAtomic(path.join(staging, name), `${name} ${generation}`);
  await publishOutputs(dir, kept);
}

const read = (dir: string, name: string) => readFile(path.join(dir, name), 'utf8');

describe('output sets', () => {
  it('publishes a staged set with outputs.json listing each file, and removes the previous set’s files the new one lacks', async () => {
    const dir = await folder();
    await publishSet(dir, 1, ['results.json', 'README.md', 'figures/a.svg', 'figures/b.svg']);
    await publishSet(dir, 2, ['results.json', 'README.md', 'figures/a.svg']);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'figures', OUTPUTS_FILE, 'results.json']);
    expect(await readdir(path.join(dir, 'figures'))).toEqual(['a.svg']);
    const check = await checkOutputs(dir);
    expect(check.manifest?.files).toEqual(
      ['README.md', 'figures/a.svg', 'results.json'].map((name) => ({ path: name, bytes: `${name} 2`.length, sha256: sha256(`${name} 2`) })),
    );
    expect(check.mismatched).toEqual([]);
    expect(check.pending).toBe(false);
  });

  it('carries kept files into the new set unchanged, and finds files that no longer match outputs.json', async () => {
    const dir = await folder();
    await publishSet(dir, 1, ['results.json', 'README.md']);
    await publishSet(dir, 2, ['README.md'], ['results.json']);
    expect(await read(dir, 'results.json')).toBe('results.json 1');
    expect(await read(dir, 'README.md')).toBe('README.md 2');
    expect((await checkOutputs(dir)).manifest?.files.map((f) => f.path)).toEqual(['README.md', 'results.json']);
    await writeFile(path.join(dir, 'README.md'), 'edited by hand');
    expect((await checkOutputs(dir)).mismatched).toEqual(['README.md']);
  });

  it('leaves the previous set whole when staging stops before the seal, and the next writer discards that staging', async () => {
    const dir = await folder();
    await publishSet(dir, 1, ['results.json', 'README.md']);
    const staging = await stageOutputs(dir);
    await writeFileAtomic(path.join(staging, 'results.json'), 'results.json 2');
    // Killed here: nothing sealed. Readers see the old set; completing is a no-op that keeps the staging.
    expect(await completeOutputs(dir)).toBe(false);
    expect(existsSync(staging)).toBe(true);
    expect(await read(dir, 'results.json')).toBe('results.json 1');
    expect((await checkOutputs(dir)).mismatched).toEqual([]);
    await publishSet(dir, 3, ['results.json', 'README.md']);
    expect(await read(dir, 'results.json')).toBe('results.json 3');
    expect(existsSync(path.join(dir, OUTPUTS_STAGING))).toBe(false);
  });

  it('completes a sealed set that a kill interrupted halfway through moving it into place', async () => {
    const dir = await folder();
    await publishSet(dir, 1, ['results.json', 'README.md', 'figures/old.svg']);
    const staging = await stageOutputs(dir);
    for (const name of ['results.json', 'README.md', 'figures/new.svg']) await writeFileAtomic(path.join(staging, name), `${name} 2`);
    // Seal by hand, as publishOutputs does, then move one file: the state a kill mid-publish leaves.
    const manifest = { format: 'moral-plantain/outputs@1', files: ['README.md', 'figures/new.svg', 'results.json'].map((name) => ({ path: name, bytes: `${name} 2`.length, sha256: sha256(`${name} 2`) })) };
    await writeFileAtomic(path.join(staging, OUTPUTS_FILE), JSON.stringify(manifest));
    await mkdir(path.join(dir, 'figures'), { recursive: true });
    await rename(path.join(staging, 'results.json'), path.join(dir, 'results.json'));
    const mixed = await checkOutputs(dir);
    expect(mixed.pending).toBe(true);
    expect(mixed.mismatched).toEqual(['results.json']);
    expect(await completeOutputs(dir)).toBe(true);
    expect(await completeOutputs(dir)).toBe(false);
    for (const name of ['results.json', 'README.md', 'figures/new.svg']) expect(await read(dir, name)).toBe(`${name} 2`);
    expect(existsSync(path.join(dir, 'figures/old.svg'))).toBe(false);
    expect(await checkOutputs(dir)).toMatchObject({ mismatched: [], pending: false });
  });
});
