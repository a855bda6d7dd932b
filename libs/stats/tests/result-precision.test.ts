import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { pairedTestSync, type PairedTestOutput, type Tail } from '../src/index.js';
import { pairedData } from './data.js';

// Every number in results.json carries the precision it has: counts and their quantiles are whole
// numbers, and numbers made of whole numbers (fractions, ratios, p- and q-values) are the exact
// fraction rounded once, never a chain of roundings such as 0.01999999999999602 for 0.02.

const effects = Array.from({ length: 72 }, (_, u) => (u % 9 === 0 ? 1.1 : u % 13 === 0 ? -0.7 : 0));
const noise = pairedData(12, effects, 11);
// Two units with constant differences: zero variance, left out of every count.
const a = noise.a.map((x, i) => (i % 72 === 70 || i % 72 === 71 ? 2 + (i % 5) : x));
const b = noise.b.map((x, i) => (i % 72 === 70 ? 1.5 + (i % 5) : i % 72 === 71 ? 2 + (i % 5) : x));
const input = { a: { data: a, shape: [12, 72] }, b: { data: b, shape: [12, 72] } };
const groups = effects.map((_, u) => (u < 24 ? 'joint[0]' : 'single[0]'));

const configurations: [string, { permutations: number; exact?: boolean; tail: Tail }][] = [
  ['99 sampled flips, two-sided', { permutations: 99, tail: 'two-sided' }],
  ['999 sampled flips, greater', { permutations: 999, tail: 'greater' }],
  ['1000 sampled flips, less', { permutations: 1000, tail: 'less' }],
  ['all 4096 patterns, two-sided', { permutations: 4096, tail: 'two-sided' }],
];

function run(options: { permutations: number; tail: Tail }): PairedTestOutput {
  const out = pairedTestSync(input, { ...options, seed: 5, splits: 40, groups });
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right;
}

describe.each(configurations)('results numbers with %s', (_name, options) => {
  const { results, nulls } = run(options);
  const sampled = !results.permutation.exact;
  const denominator = sampled ? results.permutation.count + 1 : results.permutation.count;
  const tested = results.nUnits - results.zeroVarianceUnits;

  it('gives every count and every quantile of a count as a whole number', () => {
    expect(results.zeroVarianceUnits).toBe(2);
    const counts = [
      results.nPairs,
      results.nUnits,
      results.zeroVarianceUnits,
      results.permutation.count,
      results.splitHalf!.splits,
      ...results.thresholds.flatMap((th) => [th.observed, th.nullP95, th.nullP99]),
      ...results.groups.flatMap((g) => [g.units, g.countAbsTOver3]),
    ];
    expect(counts.filter((x) => !Number.isInteger(x))).toEqual([]);
  });

  it('takes null p95 and p99 as the smallest null count with at least 95 % / 99 % of the null at or below it', () => {
    results.thresholds.forEach((th, k) => {
      const sorted = Array.from(nulls.thresholdCounts[k]!).sort((x, y) => x - y);
      // The share of null counts at or below each count, read off the sorted counts.
      const smallestWithShare = (q: number) => sorted.find((c) => (sorted.lastIndexOf(c) + 1) / sorted.length >= q);
      expect(th.nullP95).toBe(smallestWithShare(0.95));
      expect(th.nullP99).toBe(smallestWithShare(0.99));
    });
  });

  it('gives fractions and ratios as one division of their counts', () => {
    for (const th of results.thresholds) {
      expect(th.fraction).toBe(th.observed / tested);
      expect(th.ratioToNullP99).toBe(th.nullP99 === 0 ? null : th.observed / th.nullP99);
    }
  });

  it('gives permutation p-values as whole numbers of patterns over the pattern count', () => {
    for (const p of [...results.units.pPermutation, ...results.units.pFwer, ...results.thresholds.map((th) => th.p)]) {
      if (p === null) continue;
      expect(p).toBe(Math.round(p * denominator) / denominator);
    }
  });

  it('gives FDR q-values as the exact Benjamini-Hochberg fraction, rounded once', () => {
    // Direct rational arithmetic: q_(i) = min over ranks j >= i of N_(j) m / (denominator j).
    const numerators = results.units.pPermutation.flatMap((p, u) => (p === null ? [] : [{ u, n: Math.round(p * denominator) }]));
    const m = numerators.length;
    const sorted = [...numerators].sort((x, y) => x.n - y.n);
    const expected = new Map<number, number>();
    sorted.forEach(({ u }, i) => {
      let best = { top: 1n, bottom: 1n };
      for (let j = i; j < m; j++) {
        const top = BigInt(sorted[j]!.n) * BigInt(m);
        const bottom = BigInt(denominator) * BigInt(j + 1);
        if (top * best.bottom < best.top * bottom) best = { top, bottom };
      }
      expected.set(u, Number(best.top) / Number(best.bottom));
    });
    numerators.forEach(({ u }) => expect(results.units.qFdr[u]).toBe(expected.get(u)));
  });

  it('gives medians as the middle value or the mean of the two middle values', () => {
    const midpoint = (values: number[]) => {
      const s = [...values].sort((x, y) => x - y);
      const n = s.length;
      return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
    };
    expect(results.splitHalf!.median).toBe(midpoint(Array.from(nulls.splitHalfR)));
    expect(results.splitHalf!.nullMedian).toBe(midpoint(Array.from(nulls.splitHalfNullR)));
    results.groups.forEach((g, k) => {
      const d = results.units.d.filter((x, u) => x !== null && groups[u] === ['joint[0]', 'single[0]'][k]).map((x) => Math.abs(x!));
      expect(g.medianAbsD).toBe(midpoint(d));
    });
  });
});

describe('the null p99 of a rare count', () => {
  it('is a count, so the ratio reads true (no 0.0199... or 50.00000000000995)', () => {
    // One strong unit among pure noise: under 99 flips the |t| > 5 count is almost always 0.
    const pure = pairedData(12, new Array<number>(72).fill(0), 3);
    const diff = pure.a.map((x, i) => (i % 72 === 0 ? 3 + (i % 7) * 0.01 : x - pure.b[i]!));
    const out = pairedTestSync({ diff: { data: diff, shape: [12, 72] } }, { permutations: 99, seed: 0, splits: 0 });
    if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
    const t5 = out.right.results.thresholds[1]!;
    expect(Number.isInteger(t5.nullP99)).toBe(true);
    expect(t5.ratioToNullP99 === null || Number.isInteger(t5.ratioToNullP99 * t5.nullP99)).toBe(true);
    expect(JSON.stringify(out.right.results.thresholds)).not.toMatch(/\d(0{8,}|9{8,})\d/);
  });
});
