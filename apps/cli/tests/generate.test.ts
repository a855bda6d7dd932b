import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const generate = (...args: string[]) => spawnSync(process.execPath, [bin, 'generate', ...args], { encoding: 'utf8' });
const root = mkdtempSync(path.join(tmpdir(), 'mp-generate-'));

const SET = `format: moral-plantain/stimuli@1
name: one-scene
version: 1.0.0
axis: moral valence
description: One pair.
conditions: { a: helping, b: ignoring }
language: en
license: Apache-2.0
pairs:
  - id: p-1
    category: care
    scene: park
    agents: [boy]
    a: A boy comforting a lost puppy in the park.
    b: A boy ignoring a lost puppy in the park.
`;

describe('moral-plantain generate', () => {
  it('draws a set to PNG files with a contact sheet and prints a JSON summary', () => {
    const setFile = path.join(root, 'one-scene.yaml');
    writeFileSync(setFile, SET);
    const out = path.join(root, 'images');
    const res = generate('--stimuli', setFile, '--out', out, '--steps', '1', '--resolution', '32', '--json');
    expect(res.stderr).toMatch(/embedded TINY FLUX\.2-architecture model/);
    expect(res.status).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ generated: 2, reused: 0, tinyModel: true, sampling: { steps: 1, guidance: 4, guided: true, resolution: [32, 32] }, contactSheet: path.join(out, 'index.html') });
    for (const file of ['images/p-1-a.png', 'images/p-1-b.png', 'images.json', 'index.html']) expect(existsSync(path.join(out, file)), file).toBe(true);
    // A PNG signature, not some other bytes.
    expect(readFileSync(path.join(out, 'images/p-1-a.png')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(existsSync(path.join(out, '.moral-plantain.lock'))).toBe(false);
  }, 120_000);

  it('says in one sentence what is missing for --neutral, with exit code 2', () => {
    const setFile = path.join(root, 'one-scene.yaml');
    writeFileSync(setFile, SET);
    const res = generate('--stimuli', setFile, '--out', path.join(root, 'neutral'), '--neutral', '--steps', '1', '--resolution', '32');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/1 pair of the stimulus set one-scene gives no neutral scene description \(p-1\)/);
    expect(res.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);

  it("writes a prompt's PNG to standard output with --out -, and refuses - for a set's folder", () => {
    const res = spawnSync(process.execPath, [bin, 'generate', 'A boy in a park.', '--out', '-', '--steps', '1', '--resolution', '32', '--guidance', '1', '--quiet'], { encoding: 'buffer' });
    expect(res.status).toBe(0);
    expect(res.stdout.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(res.stderr.toString()).toBe('');
    const refused = generate('--stimuli', 'moral-plantain', '--out', '-');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/writes a folder of files, so --out cannot be - \(standard output\)/);
  }, 60_000);
});
