import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { encodeActivations } from '@moral-plantain/formats';
import { pairedTestSync } from '@moral-plantain/stats';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

const nPairs = 12;
const nUnits = 40;
const a = Array.from({ length: nPairs * nUnits }, (_, i) => Math.sin(i * 1.7) + (i % nUnits < 5 ? 1.5 : 0));
const b = Array.from({ length: nPairs * nUnits }, (_, i) => Math.cos(i * 0.3));
const groups = Array.from({ length: nUnits }, (_, u) => (u < 20 ? 'joint[0]' : 'single[0]'));

function workdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-stats-'));
  writeFileSync(path.join(dir, 'activations.safetensors'), encodeActivations({ nPairs, nUnits, a, b, pairs: null, groups, metadata: {} }));
  return dir;
}

describe('moral-plantain stats', () => {
  it('writes the same results.json as the library computes from the stored float32 values', () => {
    const dir = workdir();
    const out = path.join(dir, 'results.json');
    const res = run('stats', path.join(dir, 'activations.safetensors'), '--permutations', '500', '--splits', '20', '--seed', '4', '--out', out);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^12 pairs x 40 units; 500 sign flips \(sampled, seed 4\), two-sided$/m);
    expect(res.stdout).toMatch(/^\|t\| > 3: \d+ units/m);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    const shape = [nPairs, nUnits];
    const expected = pairedTestSync(
      { a: { data: Float32Array.from(a), shape }, b: { data: Float32Array.from(b), shape } },
      { permutations: 500, splits: 20, seed: 4, groups },
    );
    if (E.isLeft(expected)) throw new Error('unexpected');
    expect(written).toEqual(JSON.parse(JSON.stringify(expected.right.results)));
    expect(written.groups.map((g: { name: string }) => g.name)).toEqual(['joint[0]', 'single[0]']);
  });

  it('prints the results with --json', () => {
    const dir = workdir();
    const res = run('stats', path.join(dir, 'activations.safetensors'), '--json', '--permutations', '50', '--tail', 'greater', '--out', path.join(dir, 'r.json'));
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ format: 'moral-plantain/results@1', nPairs: 12, nUnits: 40, permutation: { tail: 'greater' } });
  });

  it.each([
    ['not safetensors', () => new TextEncoder().encode('hello, this is text'), /Not a valid safetensors file/],
    ['truncated', (good: Uint8Array) => good.subarray(0, good.length - 10), /truncated/],
    [
      'without b',
      () => {
        const json = new TextEncoder().encode(JSON.stringify({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }));
        const buf = new Uint8Array(8 + json.length + 16);
        new DataView(buf.buffer).setBigUint64(0, BigInt(json.length), true);
        buf.set(json, 8);
        return buf;
      },
      /no tensor "b"/,
    ],
    [
      'with mismatched shapes',
      () => {
        const json = new TextEncoder().encode(JSON.stringify({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4, 1], data_offsets: [16, 32] } }));
        const buf = new Uint8Array(8 + json.length + 32);
        new DataView(buf.buffer).setBigUint64(0, BigInt(json.length), true);
        buf.set(json, 8);
        return buf;
      },
      /differ in shape: \[2, 2\] vs \[4, 1\]/,
    ],
  ])('rejects a file %s with one message, exit code 2 and no results file', (_name, make, pattern) => {
    const dir = workdir();
    const good = readFileSync(path.join(dir, 'activations.safetensors'));
    const bad = path.join(dir, 'bad.safetensors');
    writeFileSync(bad, make(new Uint8Array(good)));
    const out = path.join(dir, 'results.json');
    const res = run('stats', bad, '--out', out);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(pattern);
    expect(res.stderr.trim().split('\n')).toHaveLength(2);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects bad options before reading anything', () => {
    const dir = workdir();
    const res = run('stats', path.join(dir, 'activations.safetensors'), '--permutations', 'lots');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--permutations must be a whole number from 1 to 100000000, got "lots"/);
    const missing = run('stats', path.join(dir, 'nope.safetensors'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: Cannot read .*nope\.safetensors: it does not exist \(ENOENT\)\.$/m);
  });
});
