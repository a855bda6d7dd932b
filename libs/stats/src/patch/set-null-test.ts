import { quantileSorted } from '../quantile.js';
import type { Tail } from '../results.js';

/** A null distribution in a few numbers. */
export interface NullSummary {
  /** How many null values (random sets). */
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1 denominator; 0 for one value). */
  readonly sd: number;
  /** Quantiles with linear interpolation (NumPy's default). */
  readonly p05: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Relative tolerance for ties between a null value and the observed one. */
const TIE_RTOL = 1e-10;

/** Mean, sd and the 5th, 50th, 95th and 99th percentiles of null values (at least one). */
export function summarizeNull(values: ArrayLike<number>): NullSummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let mean = 0;
  for (const v of sorted) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) ** 2;
  return {
    count: n,
    mean,
    sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    p05: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
  };
}

/**
 * The permutation p of an observed value against null values from random draws of the same
 * design: (1 + draws at least as extreme) / (1 + draws), the observed draw counted with the null
 * ones, so p is never 0 and is valid for any number of draws. 'greater' counts null >= observed,
 * 'less' null <= observed (ties within a relative 1e-10), 'two-sided' is twice the smaller of the
 * two, at most 1.
 */
export function setPermutationP(observed: number, nulls: ArrayLike<number>, tail: Tail): number {
  const tol = TIE_RTOL * Math.max(Math.abs(observed), Number.MIN_VALUE);
  let above = 0;
  let below = 0;
  for (let i = 0; i < nulls.length; i++) {
    const v = nulls[i]!;
    if (v >= observed - tol) above++;
    if (v <= observed + tol) below++;
  }
  const m = nulls.length;
  const greater = (1 + above) / (1 + m);
  const less = (1 + below) / (1 + m);
  return tail === 'greater' ? greater : tail === 'less' ? less : Math.min(1, 2 * Math.min(greater, less));
}
