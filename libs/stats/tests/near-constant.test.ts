import * as E from 'fp-ts/lib/Either.js';
import { createPrng } from '@moral-plantain/formats';
import { describe, expect, it } from 'vitest';
import { isNearConstantD, NEAR_CONSTANT_ABS_D, NEAR_CONSTANT_ROUNDOFFS, pairedTestSync, type PairedTestOptions, type ProbeResults } from '../src/index.js';

const nPairs = 25;
const options: PairedTestOptions = { permutations: 200, splits: 0, seed: 1 };

function test(a: Float32Array | Float64Array, b: Float32Array | Float64Array, nUnits: number, extra: PairedTestOptions = {}): ProbeResults {
  const shape = [nPairs, nUnits];
  const out = pairedTestSync({ a: { data: a, shape }, b: { data: b, shape } }, { ...options, ...extra });
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right.results;
}

/** Values in [lo, lo + 1) from a seeded stream. */
function uniform(seed: number, length: number, lo: number): number[] {
  const prng = createPrng(seed);
  return Array.from({ length }, () => lo + prng.nextUint32() / 2 ** 32);
}

/** Per unit (column): sd of the differences, the largest |a| + |b|, and d_z, computed directly in float64. */
function direct(a: ArrayLike<number>, b: ArrayLike<number>, nUnits: number): { sd: number; magnitude: number; d: number }[] {
  return Array.from({ length: nUnits }, (_, u) => {
    const diffs = Array.from({ length: nPairs }, (_, i) => a[i * nUnits + u]! - b[i * nUnits + u]!);
    const mean = diffs.reduce((s, x) => s + x, 0) / nPairs;
    const sd = Math.sqrt(diffs.reduce((s, x) => s + (x - mean) ** 2, 0) / (nPairs - 1));
    const magnitude = Math.max(...Array.from({ length: nPairs }, (_, i) => Math.abs(a[i * nUnits + u]!) + Math.abs(b[i * nUnits + u]!)));
    return { sd, magnitude, d: mean / sd };
  });
}

describe('near-constant units', () => {
  it('flags float32 values with a constant difference saved as float64: t near 1e8 measures rounding', () => {
    const nUnits = 8;
    const x = uniform(3, nPairs * nUnits, 0.1);
    const a = Float64Array.from(Float32Array.from(x));
    const b = Float64Array.from(Float32Array.from(x, (v) => v - 0.3));
    const results = test(a, b, nUnits);
    expect(results.zeroVarianceUnits).toBe(0);
    expect(Math.max(...results.units.t.map((t) => Math.abs(t ?? 0)))).toBeGreaterThan(1e6);
    expect(results.nearConstant).toEqual({ units: [0, 1, 2, 3, 4, 5, 6, 7], roundoffs: 1024, precision: 'float64', absD: 16384 });
  });

  it('flags float32 differences whose spread is within 1,024 roundoffs of the values, and not those above it', () => {
    // Unit u: a = 10 + 0.5 + jitter, b = 10, the jitter's sd a multiple of float32 roundoffs of |a| + |b| (about 20).
    const spreads = [20, 200, 800, 4000, 20000];
    const nUnits = spreads.length;
    const prng = createPrng(9);
    const a = new Float32Array(nPairs * nUnits);
    const b = new Float32Array(nPairs * nUnits);
    for (let i = 0; i < nPairs; i++) {
      for (let u = 0; u < nUnits; u++) {
        const noise = prng.nextUint32() / 2 ** 32 - 0.5;
        b[i * nUnits + u] = 10;
        a[i * nUnits + u] = 10.5 + noise * spreads[u]! * 2 ** -24 * 20.5 * Math.sqrt(12);
      }
    }
    const results = test(a, b, nUnits);
    const reference = direct(a, b, nUnits);
    const expected = reference.flatMap((r, u) => (r.sd <= NEAR_CONSTANT_ROUNDOFFS * 2 ** -24 * r.magnitude || Math.abs(r.d) >= NEAR_CONSTANT_ABS_D ? [u] : []));
    expect(expected).toEqual([0, 1, 2]);
    expect(results.nearConstant?.units).toEqual(expected);
    expect(results.nearConstant?.precision).toBe('float32');
  });

  it('flags conditions identical to within rounding (a and b computed two ways), and leaves real data alone', () => {
    const nUnits = 6;
    const x = uniform(5, nPairs * nUnits, 1);
    // b is a computed another way: the same numbers to within a few float32 roundoffs.
    const a = Float32Array.from(x, (v) => v * 3);
    const b = Float32Array.from(x, (v) => Math.fround(Math.fround(v * 7) / 7) * 3 + Math.fround(v * 3) * 2 ** -20);
    const identical = test(a, b, nUnits);
    expect(identical.zeroVarianceUnits + (identical.nearConstant?.units.length ?? 0)).toBe(nUnits);
    const noise = uniform(6, nPairs * nUnits, -0.5);
    const real = test(Float32Array.from(x, (v, i) => v + 0.3 * noise[i]! + (i % nUnits === 0 ? 0.4 : 0)), Float32Array.from(x), nUnits);
    expect(real.nearConstant?.units).toEqual([]);
    expect(Math.abs(real.units.t[0] ?? 0)).toBeGreaterThan(3);
  });

  it('keeps zero-variance units out of the list: they have no t at all', () => {
    const nUnits = 3;
    const a = new Float64Array(nPairs * nUnits).fill(2);
    const b = new Float64Array(nPairs * nUnits).fill(1);
    const results = test(a, b, nUnits);
    expect(results.zeroVarianceUnits).toBe(3);
    expect(results.nearConstant?.units).toEqual([]);
  });

  it('judges the spread at the precision the caller declares', () => {
    const nUnits = 4;
    const x = uniform(8, nPairs * nUnits, 1);
    const jitter = uniform(9, nPairs * nUnits, -0.5);
    // Float64 values near 1.5 whose differences are 0.001 with an sd of 3e-5 (d_z near 35): real at float64, within rounding at float32.
    const a = Float64Array.from(x, (v, i) => v + 0.001 + jitter[i]! * 1e-4);
    const b = Float64Array.from(x);
    expect(test(a, b, nUnits).nearConstant?.units).toEqual([]);
    expect(test(a, b, nUnits, { precision: 'float32' }).nearConstant).toMatchObject({ units: [0, 1, 2, 3], precision: 'float32' });
  });

  it('tells from d_z alone what results written without the field hold', () => {
    expect(isNearConstantD(null)).toBe(false);
    expect(isNearConstantD(16383.9)).toBe(false);
    expect(isNearConstantD(-16384)).toBe(true);
  });
});
