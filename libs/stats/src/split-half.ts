import { createPrng } from '@moral-plantain/formats';
import type { DenseMatrix } from './matrix.js';
import { pearson } from './pearson.js';
import { shuffledIndices } from './shuffle.js';
import { median as medianOf, quantile } from './quantile.js';
import type { SplitHalfResult } from './results.js';

/** Split-half reliability with the raw r of every split (for figures). */
export interface SplitHalfDetail {
  readonly summary: SplitHalfResult;
  /** r of each split; NaN where undefined. */
  readonly r: Float64Array;
  /** r of each split after random sign flips of the pairs: the chance level. */
  readonly nullR: Float64Array;
}

/**
 * `splits` random splits of the pairs into halves of floor(n/2) and ceil(n/2); per split, Pearson r
 * between the two halves' per-unit t vectors. The null repeats each split on randomly sign-flipped
 * pairs. Draws come from the PRNG seeded with `seed`.
 */
export function splitHalfReliability(diff: DenseMatrix, splits: number, seed: number): SplitHalfDetail {
  const prng = createPrng(seed);
  const n = diff.rows;
  const r = new Float64Array(splits);
  const nullR = new Float64Array(splits);
  const signs = new Float64Array(n);
  for (let s = 0; s < splits; s++) {
    const order = shuffledIndices(n, prng);
    const half = Math.floor(n / 2);
    const first = order.subarray(0, half);
    const second = order.subarray(half);
    signs.fill(1);
    r[s] = pearson(halfT(diff, first, signs), halfT(diff, second, signs));
    for (let i = 0; i < n; i++) signs[i] = prng.nextUint32() >>> 31 ? -1 : 1;
    nullR[s] = pearson(halfT(diff, first, signs), halfT(diff, second, signs));
  }
  return { summary: summarize(r, nullR, splits), r, nullR };
}

function summarize(r: Float64Array, nullR: Float64Array, splits: number): SplitHalfResult {
  const defined = r.filter((x) => !Number.isNaN(x));
  const definedNull = nullR.filter((x) => !Number.isNaN(x));
  if (defined.length === 0) {
    return { splits, median: null, q1: null, q3: null, spearmanBrownMedian: null, nullMedian: null };
  }
  const median = medianOf(defined);
  return {
    splits,
    median,
    q1: quantile(defined, 0.25),
    q3: quantile(defined, 0.75),
    spearmanBrownMedian: (2 * median) / (1 + median),
    nullMedian: definedNull.length > 0 ? medianOf(definedNull) : null,
  };
}

/** Per-unit t over the given rows of sign-multiplied differences; NaN for zero variance. */
function halfT(diff: DenseMatrix, rows: Uint32Array, signs: Float64Array): Float64Array {
  const m = diff.cols;
  const k = rows.length;
  const mean = new Float64Array(m);
  for (const row of rows) {
    const sign = signs[row];
    for (let u = 0; u < m; u++) mean[u] += sign * diff.data[row * m + u];
  }
  for (let u = 0; u < m; u++) mean[u] /= k;
  const ss = new Float64Array(m);
  for (const row of rows) {
    const sign = signs[row];
    for (let u = 0; u < m; u++) {
      const e = sign * diff.data[row * m + u] - mean[u];
      ss[u] += e * e;
    }
  }
  const t = new Float64Array(m);
  for (let u = 0; u < m; u++) {
    const sd = Math.sqrt(ss[u] / (k - 1));
    t[u] = sd > 0 ? (mean[u] / sd) * Math.sqrt(k) : Number.NaN;
  }
  return t;
}
