import { createPrng } from '@moral-plantain/formats';
import type { DenseMatrix } from './matrix.js';
import { BLOCK_PAIRS, type SignPatterns } from './sign-patterns.js';

/** Most null t values kept: the sign flips sampled are as many as fit, all units each. */
export const NULL_T_BUDGET = 2 ** 18;

/** Per-unit t under a subset of the test's sign flips: the empirical permutation null of t. */
export interface NullTSample {
  /** t of every unit with non-zero variance under each chosen sign flip, flip after flip (flips x units). */
  readonly values: Float64Array;
  /** How many sign flips the values come from. */
  readonly flips: number;
}

/**
 * The t of every given unit under `floor(budget / units)` of the test's sign patterns (at least one,
 * at most all): the first ones of a random sample, or, for the exact enumeration (which begins with
 * the identity and counts in binary), patterns drawn uniformly with `createPrng(seed)`. A flip that
 * leaves a unit's flipped differences all equal (t undefined) gives no value for that unit.
 */
export function nullTSample(diff: DenseMatrix, units: Uint32Array, patterns: SignPatterns, seed: number, budget = NULL_T_BUDGET): NullTSample {
  const n = diff.rows;
  const cols = diff.cols;
  const flips = units.length === 0 || n < 2 ? 0 : Math.max(1, Math.min(patterns.count, Math.floor(budget / units.length)));
  const chosen = choosePatterns(patterns, flips, seed);
  const sumSquares = new Float64Array(units.length);
  const total = new Float64Array(cols);
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let u = 0; u < cols; u++) total[u]! += diff.data[row + u]!;
  }
  for (let j = 0; j < units.length; j++) {
    const u = units[j]!;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += diff.data[i * cols + u]! ** 2;
    sumSquares[j] = ss;
  }
  const values = new Float64Array(flips * units.length);
  const sum = new Float64Array(cols);
  const rootDf = Math.sqrt(n - 1);
  let kept = 0;
  for (const f of chosen) {
    // S = total - 2 x (the flipped pairs' sum): only the flipped rows are read.
    sum.fill(0);
    for (let i = 0; i < n; i++) {
      if (((patterns.codes[f * patterns.blocks + Math.floor(i / BLOCK_PAIRS)]! >> i % BLOCK_PAIRS) & 1) === 0) continue;
      const row = i * cols;
      for (let u = 0; u < cols; u++) sum[u]! += diff.data[row + u]!;
    }
    for (let j = 0; j < units.length; j++) {
      const u = units[j]!;
      const s = total[u]! - 2 * sum[u]!;
      const nss = n * sumSquares[j]!;
      // t = mean / (sd / sqrt(n)) = S sqrt(n - 1) / sqrt(n SS - S^2), with SS unchanged by flips.
      const spread = nss - s * s;
      if (spread > 1e-12 * nss) values[kept++] = (s * rootDf) / Math.sqrt(spread);
    }
  }
  return { values: values.slice(0, kept), flips };
}

function choosePatterns(patterns: SignPatterns, flips: number, seed: number): Uint32Array {
  const chosen = new Uint32Array(flips);
  if (!patterns.exact || flips === patterns.count) {
    for (let k = 0; k < flips; k++) chosen[k] = k;
    return chosen;
  }
  const prng = createPrng(seed);
  for (let k = 0; k < flips; k++) chosen[k] = Math.floor((prng.nextUint32() / 2 ** 32) * patterns.count);
  return chosen;
}
