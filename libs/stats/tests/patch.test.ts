import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  checkUnitList,
  describePatchStatsError,
  matchedRandomSets,
  matchedSetCountLog10,
  patchEffect,
  patchTest,
  setPermutationP,
  summarizeNull,
  topUnitsByAbsT,
  unitsBelowFwer,
  unitsPerGroup,
  type PatchStatsError,
} from '../src/index.js';

function right<T>(value: E.Either<PatchStatsError, T>): T {
  if (E.isLeft(value)) throw new Error(describePatchStatsError(value.left).message);
  return value.right;
}

function left<T>(value: E.Either<PatchStatsError, T>): PatchStatsError {
  if (E.isRight(value)) throw new Error('expected an error');
  return value.left;
}

describe('unit selection', () => {
  const t = [1.5, -4, null, 4, 0.2, -2.5];

  it('takes the k units of largest |t|, ties by unit number, never a unit without t', () => {
    expect(right(topUnitsByAbsT(t, 3))).toEqual([1, 3, 5]);
    expect(right(topUnitsByAbsT(t, 5))).toEqual([1, 3, 5, 0, 4]);
  });

  it('refuses k larger than the units with a t, and k below 1', () => {
    expect(left(topUnitsByAbsT(t, 6))).toEqual({ _tag: 'KExceedsUnits', k: 6, units: 5 });
    expect(describePatchStatsError(left(topUnitsByAbsT(t, 6))).message).toBe('k = 6 is larger than the 5 units with a defined t.');
    expect(left(topUnitsByAbsT(t, 0))._tag).toBe('InvalidK');
  });

  it('selects units below a FWER level by |t|, and says when there are none', () => {
    const p = [0.5, 0.01, null, 0.04, 0.9, 0.2];
    expect(right(unitsBelowFwer(p, t, 0.05))).toEqual([1, 3]);
    expect(left(unitsBelowFwer(p, t, 0.005))).toEqual({ _tag: 'NoUnitBelowFwer', alpha: 0.005, smallest: 0.01 });
    expect(left(unitsBelowFwer(p, t, 1.5))._tag).toBe('InvalidAlpha');
  });

  it('checks an explicit list: every unit must exist, once', () => {
    expect(right(checkUnitList([5, 0, 3], 6))).toEqual([5, 0, 3]);
    expect(left(checkUnitList([5, 6, -1, 2.5], 6))).toEqual({ _tag: 'UnknownUnits', units: [6, -1, 2.5], nUnits: 6 });
    expect(describePatchStatsError(left(checkUnitList([9], 6))).message).toBe('Unit 9 does not exist: the run has 6 units, numbered 0 to 5.');
    expect(left(checkUnitList([1, 2, 1], 6))).toEqual({ _tag: 'RepeatedUnits', units: [1] });
  });
});

describe('matched random unit sets', () => {
  // Two blocks of 4 units, then one of 16: the probe's layout in small.
  const groups = [...Array(4).fill('joint[0]'), ...Array(4).fill('joint[1]'), ...Array(16).fill('single[0]')];
  const selected = [9, 1, 20, 2, 12];

  it('draws as many units from each block as the selection has, without repeats, sorted', () => {
    const sets = right(matchedRandomSets(groups, selected, { sets: 300, seed: 3 }));
    expect(sets).toHaveLength(300);
    for (const set of sets) {
      expect(new Set(set).size).toBe(5);
      expect([...set]).toEqual([...set].sort((a, b) => a - b));
      const count = (g: string) => [...set].filter((u) => groups[u] === g).length;
      expect([count('joint[0]'), count('joint[1]'), count('single[0]')]).toEqual([2, 0, 3]);
    }
    expect(unitsPerGroup(groups, selected)).toEqual([
      { name: 'joint[0]', units: 2, of: 4 },
      { name: 'single[0]', units: 3, of: 16 },
    ]);
  });

  it('gives the same sets for the same seed, other sets for another', () => {
    const first = right(matchedRandomSets(groups, selected, { sets: 20, seed: 7 })).map((s) => [...s]);
    expect(right(matchedRandomSets(groups, selected, { sets: 20, seed: 7 })).map((s) => [...s])).toEqual(first);
    expect(right(matchedRandomSets(groups, selected, { sets: 20, seed: 8 })).map((s) => [...s])).not.toEqual(first);
  });

  it('draws every unit of a block equally often (chi-square over 16,000 sets)', () => {
    const sets = right(matchedRandomSets(groups, selected, { sets: 16_000, seed: 11 }));
    const counts = new Array<number>(groups.length).fill(0);
    for (const set of sets) for (const u of set) counts[u]!++;
    // joint[0]: 2 of 4 per set (expected 8,000 each); single[0]: 3 of 16 (expected 3,000 each).
    const chi = (units: number[], expected: number) => units.reduce((s, u) => s + (counts[u]! - expected) ** 2 / expected, 0);
    // 99.9th percentiles of chi-square with 3 and 15 degrees of freedom: 16.27 and 37.70.
    expect(chi([0, 1, 2, 3], 8000)).toBeLessThan(16.27);
    expect(chi(Array.from({ length: 16 }, (_, i) => 8 + i), 3000)).toBeLessThan(37.7);
    expect(counts.slice(4, 8)).toEqual([0, 0, 0, 0]);
  });

  it('counts the distinct sets: the product of binomial coefficients', () => {
    expect(matchedSetCountLog10(groups, selected)).toBeCloseTo(Math.log10(6 * 560), 10);
    expect(matchedSetCountLog10(groups, [0, 1, 2, 3])).toBe(0);
  });

  it('refuses unknown units and a bad number of sets', () => {
    expect(left(matchedRandomSets(groups, [3, 24], { sets: 5, seed: 0 }))).toEqual({ _tag: 'UnknownUnits', units: [24], nUnits: 24 });
    expect(left(matchedRandomSets(groups, [3], { sets: 0, seed: 0 }))._tag).toBe('InvalidSets');
  });
});

describe('patchEffect', () => {
  const x = [1, 2, 3, 4];
  const y = [2, 2, 5, 4];

  it('is 0 for no change, 1 for the whole swap, and the projection in between', () => {
    expect(patchEffect(x, y, x)).toEqual({ fraction: 0, change: 0, distance: Math.sqrt(5) });
    expect(patchEffect(x, y, y).fraction).toBe(1);
    expect(patchEffect(x, y, [3, 2, 7, 4]).fraction).toBe(2);
    // Half way along y - x plus a change orthogonal to it: only the projection counts.
    const p = [1.5, 7, 4, 4];
    expect(patchEffect(x, y, p).fraction).toBeCloseTo(0.5, 14);
    expect(patchEffect(x, y, p).change).toBeCloseTo(Math.sqrt(0.25 + 25 + 1), 14);
  });

  it('matches the formula <p - x, y - x> / |y - x|^2 on random vectors', () => {
    const n = 50;
    const r = (k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k) * 43758.5453 % 1);
    const [bx, by, bp] = [r(1), r(2), r(3)];
    let dot = 0;
    let dd = 0;
    for (let i = 0; i < n; i++) {
      dot += (bp[i]! - bx[i]!) * (by[i]! - bx[i]!);
      dd += (by[i]! - bx[i]!) ** 2;
    }
    expect(patchEffect(Float32Array.from(bx), by, bp).fraction).toBeCloseTo(dot / dd, 6);
  });

  it('has no fraction when the two outputs are equal', () => {
    expect(patchEffect(x, x, y).fraction).toBeNull();
  });
});

describe('the random-set null', () => {
  it('gives p = (1 + null values at least as extreme) / (1 + sets), ties counted', () => {
    const nulls = [0.1, 0.5, 0.3, 0.5, 0.9];
    expect(setPermutationP(0.5, nulls, 'greater')).toBe((1 + 3) / 6);
    expect(setPermutationP(0.5, nulls, 'less')).toBe((1 + 4) / 6);
    expect(setPermutationP(1, nulls, 'greater')).toBe(1 / 6);
    expect(setPermutationP(0.5, nulls, 'two-sided')).toBe(1);
    expect(setPermutationP(-1, nulls, 'two-sided')).toBe(2 / 6);
  });

  it('summarizes with NumPy-style quantiles', () => {
    const summary = summarizeNull(Float64Array.from({ length: 10 }, (_, i) => 10 - i));
    // numpy.percentile(range(1, 11), [5, 50, 95, 99]) = 1.45, 5.5, 9.55, 9.91; std(ddof=1) = 3.02765
    expect(summary).toMatchObject({ count: 10, mean: 5.5, p05: 1.45, p50: 5.5 });
    expect(summary.p95).toBeCloseTo(9.55, 12);
    expect(summary.p99).toBeCloseTo(9.91, 12);
    expect(summary.sd).toBeCloseTo(3.0276503540974917, 12);
  });
});

describe('patchTest', () => {
  // 6 pairs x 2 directions; 4 random sets.
  const observed = Float64Array.from([0.5, 0.3, 0.4, 0.6, 0.1, 0.0, 0.7, 0.5, 0.2, 0.4, 0.3, 0.3]);
  const nullRows = [0.1, -0.1, 0.0, 0.2, 0.05, 0.05, -0.2, 0.1, 0.3, 0.0, 0.1, 0.1];
  const nulls = Float64Array.from({ length: 4 * 12 }, (_, i) => nullRows[i % 12]! * (1 + Math.floor(i / 12) / 2));

  it('averages over pairs and directions and compares with the random sets', () => {
    const result = right(patchTest({ observed: { data: observed, shape: [6, 2] }, nulls: { data: nulls, shape: [4, 12] } }, { permutations: 1000 }));
    expect(result.observed).toBeCloseTo(4.3 / 12, 14);
    expect(result.byDirection[0]).toBeCloseTo(2.2 / 6, 14);
    expect(result.byDirection[1]).toBeCloseTo(2.1 / 6, 14);
    expect(result.perPair.map((v) => Number(v.toFixed(10)))).toEqual([0.4, 0.5, 0.05, 0.6, 0.3, 0.3]);
    const setMeans = [1, 1.5, 2, 2.5].map((m) => (0.7 * m) / 12);
    expect(result.null.mean).toBeCloseTo(setMeans.reduce((s, v) => s + v, 0) / 4, 14);
    expect(result.p).toBe(1 / 5);
  });

  it('tests the per-pair excess over the random sets by exact sign flips', () => {
    const result = right(patchTest({ observed: { data: observed, shape: [6, 2] }, nulls: { data: nulls, shape: [4, 12] } }, { permutations: 1000 }));
    // Brute force over all 64 sign patterns of the per-pair excess.
    const nullPairMean = Array.from({ length: 6 }, (_, i) => {
      let sum = 0;
      for (let s = 0; s < 4; s++) for (let d = 0; d < 2; d++) sum += nulls[s * 12 + i * 2 + d]!;
      return sum / 8;
    });
    const excess = result.perPair.map((v, i) => v - nullPairMean[i]!);
    const mean = excess.reduce((s, v) => s + v, 0) / 6;
    let atLeast = 0;
    for (let pattern = 0; pattern < 64; pattern++) {
      const flipped = excess.reduce((s, v, i) => s + (pattern & (1 << i) ? -v : v), 0) / 6;
      if (flipped >= mean - 1e-12) atLeast++;
    }
    expect(result.acrossPairs).toMatchObject({ pairs: 6, exact: true, permutations: 64, pairsInDirection: excess.filter((v) => v > 0).length });
    expect(result.acrossPairs.meanExcess).toBeCloseTo(mean, 14);
    expect(result.acrossPairs.p).toBe(atLeast / 64);
  });

  it('refuses effects that do not fit together or are not finite', () => {
    expect(left(patchTest({ observed: { data: observed, shape: [6, 2] }, nulls: { data: nulls, shape: [6, 8] } }))._tag).toBe('EffectsShape');
    const withNaN = Float64Array.from(observed);
    withNaN[3] = Number.NaN;
    expect(left(patchTest({ observed: { data: withNaN, shape: [6, 2] }, nulls: { data: nulls, shape: [4, 12] } }))).toEqual({ _tag: 'NonFiniteEffect', where: 'pair 1, direction 1' });
  });
});
