import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { pairedTestSync, type PairedTestOutput, type Tail } from '../src/index.js';
import { directT, pairedData } from './data.js';

const nPairs = 8;
const effects = [0, 0.2, 1.5, -1.5, 0, 3, -0.5, 0.8, 0, 0, 2.2, -2.5];
const { a, b } = pairedData(nPairs, effects, 11);
const m = effects.length;
const diff = (i: number, u: number): number => a[i * m + u]! - b[i * m + u]!;

/** t of every unit under every one of the 2^n sign patterns, by brute force. */
function bruteForceNull(): number[][] {
  const out: number[][] = [];
  for (let f = 0; f < 2 ** nPairs; f++) {
    out.push(effects.map((_, u) => directT(Array.from({ length: nPairs }, (_, i) => ((f >> i) & 1 ? -1 : 1) * diff(i, u)))));
  }
  return out;
}

const nullT = bruteForceNull();
const observedT = nullT[0]!;
const tol = 1e-9;

function run(tail: Tail): PairedTestOutput {
  const out = pairedTestSync({ a: { data: a, shape: [nPairs, m] }, b: { data: b, shape: [nPairs, m] } }, {
    tail,
    permutations: 1000,
    splits: 0,
    thresholds: [{ stat: 't', value: 2 }, { stat: 't', value: 3 }, { stat: 'd', value: 0.8 }, { stat: 't', value: 1 }],
  });
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right;
}

/** The statistic a tail looks at. */
const directed = (tail: Tail, t: number): number => (tail === 'two-sided' ? Math.abs(t) : tail === 'greater' ? t : -t);

describe.each(['two-sided', 'greater', 'less'] as const)('exact %s test against brute force', (tail) => {
  const { results, nulls } = run(tail);
  const F = 2 ** nPairs;

  it('enumerates all 2^n patterns, the identity included', () => {
    expect(results.permutation).toMatchObject({ count: F, exact: true, tail });
  });

  it('gives uncorrected p-values as the share of patterns at least as extreme', () => {
    const expected = effects.map((_, u) => nullT.filter((row) => directed(tail, row[u]!) >= directed(tail, observedT[u]!) - tol).length / F);
    expect(results.units.pPermutation).toEqual(expected.map((p) => expect.closeTo(p, 12)));
  });

  it('gives FWER p-values from the max statistic null', () => {
    const maxima = nullT.map((row) => Math.max(...row.map((t) => directed(tail, t))));
    expect(Array.from(nulls.maxStat).sort()).toEqual(maxima.sort().map((x) => expect.closeTo(x, 9)));
    const expected = effects.map((_, u) => maxima.filter((mx) => mx >= directed(tail, observedT[u]!) - tol).length / F);
    expect(results.units.pFwer).toEqual(expected.map((p) => expect.closeTo(p, 12)));
  });

  it('compares threshold counts with their null distribution', () => {
    const cut = [2, 3, 0.8 * Math.sqrt(nPairs), 1];
    results.thresholds.forEach((th, k) => {
      const countOf = (row: number[]) => row.filter((t) => directed(tail, t) > cut[k]!).length;
      const nullCounts = nullT.map(countOf);
      expect(Array.from(nulls.thresholdCounts[k]!)).toEqual(nullCounts);
      const observed = th.stat === 'd' ? results.units.d.filter((d) => d !== null && directed(tail, d) > 0.8).length : countOf(observedT);
      expect(th.observed).toBe(observed);
      // The smallest null count with at least 95 % / 99 % of the null counts at or below it.
      const atLeastShare = (q: number) => Math.min(...nullCounts.filter((c) => nullCounts.filter((x) => x <= c).length / F >= q));
      expect(th.nullP95).toBe(atLeastShare(0.95));
      expect(th.nullP99).toBe(atLeastShare(0.99));
      expect(th.p).toBeCloseTo(nullCounts.filter((c) => c >= observed).length / F, 12);
      expect(th.ratioToNullP99).toBe(th.nullP99 > 0 ? observed / th.nullP99 : null);
    });
  });
});

describe('sampled sign flips', () => {
  const big = pairedData(14, [0, 0.4, 4, -0.1, 0.9, 0], 5);
  const input = { a: { data: big.a, shape: [14, 6] }, b: { data: big.b, shape: [14, 6] } };
  const exact = pairedTestSync(input, { permutations: 2 ** 14, splits: 0 });
  const sampled = pairedTestSync(input, { permutations: 20_000, splits: 0, seed: 3, exact: false });
  if (E.isLeft(exact) || E.isLeft(sampled)) throw new Error('unexpected input errors');

  it('uses (b + 1) / (m + 1), so no p-value is below 1 / (m + 1)', () => {
    const { results } = sampled.right;
    expect(results.permutation).toMatchObject({ count: 20_000, exact: false, seed: 3 });
    for (const p of results.units.pPermutation) {
      expect(Math.abs(p! * 20_001 - Math.round(p! * 20_001))).toBeLessThan(1e-6);
      expect(p!).toBeGreaterThanOrEqual(1 / 20_001);
    }
  });

  it('approaches the exact p-values', () => {
    const e = exact.right.results.units;
    const s = sampled.right.results.units;
    e.pPermutation.forEach((p, u) => expect(Math.abs(s.pPermutation[u]! - p!)).toBeLessThan(0.015));
    e.pFwer.forEach((p, u) => expect(Math.abs(s.pFwer[u]! - p!)).toBeLessThan(0.015));
  });

  it('is reproducible from its seed and changes with it', () => {
    const again = pairedTestSync(input, { permutations: 20_000, splits: 0, seed: 3, exact: false });
    const other = pairedTestSync(input, { permutations: 20_000, splits: 0, seed: 4, exact: false });
    if (E.isLeft(again) || E.isLeft(other)) throw new Error('unexpected input errors');
    expect(again.right).toEqual(sampled.right);
    expect(other.right.results.units.pPermutation).not.toEqual(sampled.right.results.units.pPermutation);
  });
});
