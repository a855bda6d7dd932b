import * as E from 'fp-ts/lib/Either.js';
import { createPrng } from '@moral-plantain/formats';
import { describe, expect, it } from 'vitest';
import { pairedTestSync, type PairedTestOptions, type ProbeResults } from '../src/index.js';
import { binaryExponent, timesPowerOfTwo } from '../src/unit-scaling.js';

const nPairs = 12;
const nUnits = 40;
const shape = [nPairs, nUnits];
const options: PairedTestOptions = { permutations: 2000, splits: 20, seed: 5 };

/** Float64 conditions with an effect in every 4th unit, a and b of order 1. */
function conditions(): { a: Float64Array; b: Float64Array } {
  const prng = createPrng(11);
  const a = new Float64Array(nPairs * nUnits);
  const b = new Float64Array(nPairs * nUnits);
  for (let i = 0; i < a.length; i++) {
    const unit = i % nUnits;
    b[i] = 1 + prng.nextUint32() / 2 ** 32;
    a[i] = b[i]! + (prng.nextUint32() / 2 ** 32 - 0.5) * 0.2 + (unit % 4 === 0 ? 0.3 : 0);
  }
  return { a, b };
}

function results(a: ArrayLike<number>, b: ArrayLike<number>, extra: PairedTestOptions = {}): ProbeResults {
  const out = pairedTestSync({ a: { data: a, shape }, b: { data: b, shape } }, { ...options, ...extra });
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right.results;
}

const relativelyClose = (x: number | null, y: number | null, rtol: number): boolean =>
  x === null || y === null ? x === y : Math.abs(x - y) <= rtol * Math.abs(y);

describe('scale and precision', () => {
  const { a, b } = conditions();
  const reference = results(a, b);

  it.each([1e150, 1e-150, 1e160, 1e-170, 1e300, 1e-300])('gives the same t, d and p-values with the data scaled by %d', (scale) => {
    const scaled = results(a.map((x) => x * scale), b.map((x) => x * scale));
    expect(scaled.zeroVarianceUnits).toBe(0);
    // Scaling by a power of ten rounds each value once, so t and d agree to rounding, p-values exactly.
    expect(scaled.units.t.every((t, u) => relativelyClose(t, reference.units.t[u]!, 1e-12))).toBe(true);
    expect(scaled.units.d.every((d, u) => relativelyClose(d, reference.units.d[u]!, 1e-12))).toBe(true);
    expect(scaled.units.pPermutation).toEqual(reference.units.pPermutation);
    expect(scaled.units.pFwer).toEqual(reference.units.pFwer);
    expect(scaled.thresholds.map((th) => th.observed)).toEqual(reference.thresholds.map((th) => th.observed));
    expect(scaled.units.meanDiff.every((m, u) => relativelyClose(m, reference.units.meanDiff[u]! * scale, 1e-12))).toBe(true);
    expect(scaled.units.sdDiff.every((s, u) => relativelyClose(s, reference.units.sdDiff[u]! * scale, 1e-12))).toBe(true);
  });

  it('gives bit-identical results with the data scaled by a power of two', () => {
    for (const e of [-700, 600]) {
      const scale = 2 ** e;
      const scaled = results(a.map((x) => x * scale), b.map((x) => x * scale));
      expect(scaled.units.t).toEqual(reference.units.t);
      expect(scaled.units.pPermutation).toEqual(reference.units.pPermutation);
      expect(scaled.splitHalf).toEqual(reference.splitHalf);
      expect(scaled.units.meanDiff).toEqual(reference.units.meanDiff.map((m) => m * scale));
    }
  });

  it('counts a constant difference stored in float32 as zero variance, and the same spread in float64 as real', () => {
    const prng = createPrng(3);
    const x = Array.from({ length: nPairs * nUnits }, () => 0.1 + prng.nextUint32() / 2 ** 32);
    // a - b is 0.3 in exact arithmetic; storing a and b in float32 leaves a spread near 1e-8.
    const a32 = Float32Array.from(x);
    const b32 = Float32Array.from(x, (v) => v - 0.3);
    const asFloat32 = results(a32, b32);
    expect(asFloat32.zeroVarianceUnits).toBe(nUnits);
    expect(asFloat32.units.t.every((t) => t === null)).toBe(true);
    // The same values declared float64 are exact as given: their spread is real, far above float64 rounding.
    const asFloat64 = results(Float64Array.from(a32), Float64Array.from(b32));
    expect(asFloat64.zeroVarianceUnits).toBe(0);
    expect(results(Float64Array.from(a32), Float64Array.from(b32), { precision: 'float32' }).zeroVarianceUnits).toBe(nUnits);
  });

  it('refuses differences that overflow float64 instead of reporting them', () => {
    const big = new Float64Array(nPairs * nUnits).fill(1.5e308);
    const out = pairedTestSync({ a: { data: big, shape }, b: { data: big.map((x) => -x), shape } }, options);
    expect(E.isLeft(out) && out.left[0]!._tag === 'NonFinite' && out.left[0]!.input === 'diff').toBe(true);
  });

  it('finds the binary exponent of normal and subnormal values exactly', () => {
    for (const x of [1, 1.5, 2 - 2 ** -52, 2, 3, 1e-310, 5e-324, 1.7e308, 2 ** -1022]) {
      const e = binaryExponent(x);
      expect(timesPowerOfTwo(x, -e)).toBeGreaterThanOrEqual(1);
      expect(timesPowerOfTwo(x, -e)).toBeLessThan(2);
    }
  });
});
