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
  /** Pearson r of each split with the pairs' signs flipped at random: the chance level of `splitHalfR`. */
  readonly splitHalfNullR?: readonly number[];
  /** Per-unit t values under the sign-flip null (any number; `nullTFlips` says how many flips of all units they are). */
  readonly nullT?: ArrayLike<number>;
  /** The sign flips `nullT` comes from, each with every unit; unknown when absent. */
  readonly nullTFlips?: number;
  /** Per sign flip, the largest statistic over units (max |t| for a two-sided test): the FWER null. */
  readonly nullMaxT?: ArrayLike<number>;
}

/** The distributions the figures draw, from the null distributions of a paired test (splits that gave no r left out). */
export function resultDistributions(nulls: NullDistributions): ResultDistributions {
  return {
    thresholdCounts: nulls.thresholdCounts.map((c) => Array.from(c)),
    splitHalfR: Array.from(nulls.splitHalfR).filter((r) => !Number.isNaN(r)),
    splitHalfNullR: Array.from(nulls.splitHalfNullR).filter((r) => !Number.isNaN(r)),
    nullT: nulls.nullT,
    nullTFlips: nulls.nullTFlips,
    nullMaxT: nulls.maxStat,
  };
}
