import type { NearConstantUnits } from './near-constant.js';

/** Identifier written in every results file. */
export const RESULTS_FORMAT = 'moral-plantain/results@1';

/** Which direction of effect a test looks for. */
export type Tail = 'two-sided' | 'greater' | 'less';

/** A statistic a threshold count is taken over. */
export type ThresholdStat = 't' | 'd';

/** A count of units whose |statistic| exceeds `value`, e.g. |t| > 3. */
export interface ThresholdSpec {
  readonly stat: ThresholdStat;
  readonly value: number;
}

/** How the sign-flip null was drawn. */
export interface PermutationInfo {
  /** Number of sign patterns in the null, the identity included when `exact`. */
  readonly count: number;
  /** True when all 2^n sign patterns were enumerated. */
  readonly exact: boolean;
  readonly seed: number;
  readonly tail: Tail;
  /** The PRNG that drew the sign patterns and splits. */
  readonly prng: string;
}

/**
 * Per-unit statistics as column arrays (`null` where undefined, e.g. zero variance), and, when the
 * activations say where their units come from (an embedded taps manifest), the unit's origin.
 */
export interface UnitColumns {
  readonly t: readonly (number | null)[];
  readonly d: readonly (number | null)[];
  readonly meanDiff: readonly number[];
  readonly sdDiff: readonly number[];
  readonly pPermutation: readonly (number | null)[];
  readonly pFwer: readonly (number | null)[];
  readonly qFdr: readonly (number | null)[];
  /** Module path of the tapped layer the unit reads (absent when the activations do not say). */
  readonly module?: readonly string[];
  /** Block label of that layer, e.g. `joint[3]` (absent when the activations do not say). */
  readonly block?: readonly string[];
  /** Position of the unit among its block's units, from 0 (absent when the activations do not say). */
  readonly indexInBlock?: readonly number[];
  /** First input channel of the unit in its layer, inclusive (absent when the activations do not say). */
  readonly channelStart?: readonly number[];
  /** End of the unit's input channels in its layer, exclusive (absent when the activations do not say). */
  readonly channelEnd?: readonly number[];
}

/** Observed count above one threshold compared with its sign-flip null. */
export interface ThresholdResult {
  readonly stat: ThresholdStat;
  readonly value: number;
  readonly observed: number;
  /** observed / units with a defined statistic (one division of two counts). */
  readonly fraction: number;
  /** The smallest null count with at least 95 % of the null counts at or below it: a whole number. */
  readonly nullP95: number;
  /** The smallest null count with at least 99 % of the null counts at or below it: a whole number. */
  readonly nullP99: number;
  /** observed / nullP99 (one division of two counts); `null` when nullP99 = 0. */
  readonly ratioToNullP99: number | null;
  /** Permutation p of the count: share of null counts >= observed. */
  readonly p: number;
}

/** The largest |t| and where it is. */
export interface MaxAbsT {
  readonly value: number | null;
  readonly unit: number | null;
  readonly group: string | null;
}

/** Split-half reliability of the per-unit t vector. */
export interface SplitHalfResult {
  readonly splits: number;
  readonly median: number | null;
  readonly q1: number | null;
  readonly q3: number | null;
  /** 2r / (1 + r) applied to the median: the reliability of the full-length t vector. */
  readonly spearmanBrownMedian: number | null;
  /** Median r when each split's labels are sign-flipped at random: the chance level. */
  readonly nullMedian: number | null;
}

/** Summary of one group of units (e.g. one transformer block). */
export interface GroupSummary {
  readonly name: string;
  readonly units: number;
  readonly maxAbsT: number | null;
  readonly countAbsTOver3: number;
  readonly medianAbsD: number | null;
}

/** The `results.json` contract (`moral-plantain/results@1`). */
export interface ProbeResults {
  readonly format: typeof RESULTS_FORMAT;
  readonly nPairs: number;
  readonly nUnits: number;
  /** Units whose differences have zero variance: t and d are null there. */
  readonly zeroVarianceUnits: number;
  /**
   * Units whose differences are the same in every pair to within rounding: their t and d are
   * defined but measure rounding, not an effect. Written by every `pairedTest`; absent in results
   * written before it existed (`isNearConstantD` still applies to those).
   */
  readonly nearConstant?: NearConstantUnits;
  readonly permutation: PermutationInfo;
  readonly units: UnitColumns;
  readonly thresholds: readonly ThresholdResult[];
  readonly maxAbsT: MaxAbsT;
  readonly splitHalf: SplitHalfResult | null;
  readonly groups: readonly GroupSummary[];
}
