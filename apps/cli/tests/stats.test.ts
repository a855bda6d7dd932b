import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { encodeActivations, encodeSafetensors, toFloat16Bits } from '@moral-plantain/formats';
import { pairedTestSync } from '@moral-plantain/stats';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const runIn = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd });

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

  it('writes results.json into missing folders named relative to the working directory', () => {
    const dir = workdir();
    mkdirSync(path.join(dir, 'existing'));
    for (const [out, written] of [
      ['newdir/results.json', 'newdir/results.json'],
      ['a/b/c/results.json', 'a/b/c/results.json'],
      ['./d/../e/r.json', 'e/r.json'],
      ['folder/', 'folder/results.json'],
      ['existing/', 'existing/results.json'],
    ]) {
      const res = runIn(dir, 'stats', 'activations.safetensors', '--permutations', '20', '--splits', '0', '--out', out);
      expect(res.stderr, out).toBe('');
      expect(res.status, out).toBe(0);
      expect(res.stdout).toContain(`wrote ${written}`);
      expect(JSON.parse(readFileSync(path.join(dir, written), 'utf8'))).toMatchObject({ format: 'moral-plantain/results@1' });
      expect(readdirSync(path.dirname(path.join(dir, written))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
  });

  it('prints null p99s as whole counts and ratios as observed / p99', () => {
    const dir = workdir();
    const out = path.join(dir, 'results.json');
    const res = run('stats', path.join(dir, 'activations.safetensors'), '--permutations', '99', '--splits', '0', '--out', out);
    expect(res.status).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8')) as { thresholds: { stat: string; value: number; observed: number; nullP99: number; ratioToNullP99: number | null }[] };
    for (const th of results.thresholds) {
      expect(Number.isInteger(th.nullP99)).toBe(true);
      const line = res.stdout.split('\n').find((l) => l.startsWith(`|${th.stat}| > ${th.value}: `))!;
      if (th.ratioToNullP99 === null) {
        expect(line).toContain('null p99 is 0');
        continue;
      }
      const [, ratio, p99] = /, ([\d.]+)x null p99 \((\d+)\),/.exec(line)!;
      expect(Number(p99)).toBe(th.nullP99);
      expect(Number(ratio)).toBeCloseTo(th.observed / th.nullP99, 2);
      // A ratio never reads as 1 unless the count equals its null p99.
      expect(Number(ratio) === 1).toBe(th.observed === th.nullP99);
    }
  });

  it.each([
    ['F16', 'pt'],
    ['BF16', 'np'],
  ] as const)('reads %s activations saved with the "%s" format tag of safetensors savers', (dtype, format) => {
    const dir = workdir();
    const bits = (values: number[]) => {
      const f32 = Float32Array.from(values);
      const half = dtype === 'F16' ? toFloat16Bits(f32) : Uint16Array.from(new Uint32Array(f32.buffer), (w) => (w + 0x7fff + ((w >>> 16) & 1)) >>> 16);
      return { dtype, shape: [nPairs, nUnits], bytes: new Uint8Array(half.buffer) };
    };
    const file = path.join(dir, `${dtype}.safetensors`);
    writeFileSync(file, encodeSafetensors(new Map([['a', bits(a)], ['b', bits(b)]]), { format }));
    const res = run('stats', file, '--permutations', '50', '--splits', '0', '--json', '--out', path.join(dir, 'r.json'));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ nPairs, nUnits, zeroVarianceUnits: 0 });
  });

  it('carries the module, block and channels of each unit from an embedded taps manifest into results.json', () => {
    const dir = workdir();
    const taps = {
      format: 'moral-plantain/taps@1',
      unitWidth: 16,
      totalUnits: nUnits,
      taps: [
        { module: 'transformer_blocks.0.attn.to_out.0', output: 'tap/0', node: 'n0', width: 320, units: 20, offset: 0, group: 'joint[0]', channels: [0, 320] as const, tokens: null },
        { module: 'single_transformer_blocks.0.attn.to_out', output: 'tap/1', node: 'n1', width: 640, units: 20, offset: 20, group: 'single[0]', channels: [0, 320] as const, tokens: null },
      ],
    };
    const file = path.join(dir, 'tapped.safetensors');
    writeFileSync(file, encodeActivations({ nPairs, nUnits, a, b, pairs: null, groups, taps, metadata: {} }));
    const res = run('stats', file, '--permutations', '50', '--splits', '0', '--json', '--out', path.join(dir, 'r.json'));
    expect(res.status).toBe(0);
    const { units } = JSON.parse(res.stdout);
    expect(units.module[19]).toBe('transformer_blocks.0.attn.to_out.0');
    expect(units.module[20]).toBe('single_transformer_blocks.0.attn.to_out');
    expect(units.block.slice(18, 22)).toEqual(['joint[0]', 'joint[0]', 'single[0]', 'single[0]']);
    expect(units.indexInBlock.slice(18, 22)).toEqual([18, 19, 0, 1]);
    expect(units.channelStart.slice(18, 22)).toEqual([288, 304, 0, 16]);
    expect(units.channelEnd.slice(18, 22)).toEqual([304, 320, 16, 32]);
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
