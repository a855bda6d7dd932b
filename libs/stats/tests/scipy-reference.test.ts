import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, benjaminiHochbergOfFractions, median, orderStatisticQuantile, pairedTestSync, pearson, quantile } from '../src/index.js';
import { closeRel, fixture } from './fixtures.js';

interface TTestCase {
  name: string;
  nPairs: number;
  nUnits: number;
  a: number[];
  b: number[];
  t: (number | null)[];
  d: (number | null)[];
  meanDiff: number[];
  sdDiff: number[];
}

const cases = fixture<TTestCase[]>('scipy-ttest-rel.json');

describe('paired t and Cohen d_z against scipy.stats.ttest_rel', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: t, d, mean and sd to 1e-9 relative', (_name, c) => {
    const shape = [c.nPairs, c.nUnits];
    const out = pairedTestSync(
      { a: { data: c.a, shape }, b: { data: c.b, shape } },
      { permutations: 10, splits: c.nPairs >= 4 ? 5 : 0 },
    );
    if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
    const { units } = out.right.results;
    // SciPy gives NaN or +-inf for zero-variance units (stored as null); we report null for both.
    expect(closeRel(units.t, c.t, 1e-9)).toEqual([]);
    expect(closeRel(units.d, c.d, 1e-9)).toEqual([]);
    expect(closeRel(units.meanDiff, c.meanDiff, 1e-9)).toEqual([]);
    expect(closeRel(units.sdDiff, c.sdDiff, 1e-9)).toEqual([]);
  });

  it('counts zero-variance units instead of leaking NaN into the counts', () => {
    const c = cases.find((x) => x.name === 'zero-variance-units')!;
    const shape = [c.nPairs, c.nUnits];
    const out = pairedTestSync({ a: { data: c.a, shape }, b: { data: c.b, shape } }, { splits: 0 });
    if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
    const { results } = out.right;
    const expectedZero = c.t.filter((t) => t === null).length;
    expect(expectedZero).toBeGreaterThan(0);
    expect(results.zeroVarianceUnits).toBe(expectedZero);
    expect(results.units.pPermutation.filter((p) => p === null)).toHaveLength(expectedZero);
    expect(JSON.stringify(results)).not.toMatch(/NaN|Infinity/);
  });
});

interface Misc {
  pearson: { name: string; x: number[]; y: number[]; r: number | null }[];
  bh: { name: string; p: number[]; q: number[] }[];
  quantiles: { name: string; values: number[]; probs: number[]; quantiles: number[] }[];
  medians: { name: string; values: number[]; median: number }[];
  countQuantiles: { name: string; values: number[]; probs: number[]; quantiles: number[] }[];
}
const misc = fixture<Misc>('scipy-misc.json');

describe('helpers against SciPy and NumPy', () => {
  it.each(misc.pearson.map((c) => [c.name, c] as const))('pearson %s', (_n, c) => {
    const r = pearson(c.x, c.y);
    if (c.r === null) expect(r).toBeNaN();
    else expect(Math.abs(r - c.r)).toBeLessThanOrEqual(1e-12);
  });

  it.each(misc.bh.map((c) => [c.name, c] as const))('Benjamini-Hochberg %s', (_n, c) => {
    expect(closeRel(Array.from(benjaminiHochberg(c.p)), c.q, 1e-12)).toEqual([]);
  });

  it.each(misc.bh.filter((c) => c.name === 'permutation-grid').map((c) => [c.name, c] as const))('Benjamini-Hochberg of fractions %s', (_n, c) => {
    const numerators = c.p.map((p) => p * 2048);
    expect(closeRel(Array.from(benjaminiHochbergOfFractions(numerators, 2048)), c.q, 1e-15)).toEqual([]);
  });

  it.each(misc.quantiles.map((c) => [c.name, c] as const))('linear quantiles %s, bit for bit as np.quantile', (_n, c) => {
    expect(c.probs.map((q) => quantile(c.values, q))).toEqual(c.quantiles);
  });

  it.each(misc.medians.map((c) => [c.name, c] as const))('median %s, bit for bit as np.median', (_n, c) => {
    expect(median(c.values)).toBe(c.median);
  });

  it.each(misc.countQuantiles.map((c) => [c.name, c] as const))("quantiles of counts %s as np.quantile(method='inverted_cdf')", (_n, c) => {
    const got = c.probs.map((q) => orderStatisticQuantile(c.values, q));
    expect(got).toEqual(c.quantiles);
    expect(got.every(Number.isInteger)).toBe(true);
  });
});
