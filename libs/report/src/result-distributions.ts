import type { NullDistributions } from '@moral-plantain/stats';

/**
 * Optional full distributions behind the summaries in results.json. results.json keeps only
 * nullP95 / nullP99 per threshold and median / IQR of the split-half r; when a producer has the
 * full distributions it can pass them here and the figures draw them. Every field is optional.
 */
export interface ResultDistributions {
  /** Null count per permutation for each threshold, in the order of `results.thresholds`. */
  readonly thresholdCounts?: readonly (readonly number[])[];
  /** Observed Pearson r of each split-half split. */
  readonly splitHalfR?: readonly number[];
  /** A sample of per-unit t values under the sign-flip null (any size). */
  readonly nullT?: readonly number[];
}

/** The distributions the figures draw, from the null distributions of a paired test (splits that gave no r left out). */
export function resultDistributions(nulls: NullDistributions): ResultDistributions {
  return {
    thresholdCounts: nulls.thresholdCounts.map((c) => Array.from(c)),
    splitHalfR: Array.from(nulls.splitHalfR).filter((r) => !Number.isNaN(r)),
  };
}
