export { describeStatsError } from './errors.js';
export type { InputName, StatsError } from './errors.js';
export type { Matrix } from './matrix.js';
export { DEFAULT_THRESHOLDS, MAX_EXACT_PAIRS, PAIRED_TEST_DEFAULTS } from './options.js';
export type { PairedTestOptions, Precision } from './options.js';
export type { PairedInput } from './paired-input.js';
export { testActivations } from './activations-test.js';
export { isNearConstantD, NEAR_CONSTANT_ABS_D, NEAR_CONSTANT_ROUNDOFFS } from './near-constant.js';
export type { NearConstantUnits } from './near-constant.js';
export { pairedTest, pairedTestSync } from './paired-test.js';
export type { NullDistributions, PairedTestOutput } from './paired-test.js';
export { median, orderStatisticQuantile, quantile } from './quantile.js';
export { benjaminiHochberg, benjaminiHochbergOfFractions } from './fdr.js';
export { pearson } from './pearson.js';
export { RESULTS_FORMAT } from './results.js';
export type {
  GroupSummary,
  MaxAbsT,
  PermutationInfo,
  ProbeResults,
  SplitHalfResult,
  Tail,
  ThresholdResult,
  ThresholdSpec,
  ThresholdStat,
  UnitColumns,
} from './results.js';
export { matchedRandomSets, matchedSetCountLog10, unitsPerGroup } from './patch/matched-unit-sets.js';
export type { MatchedSetsOptions } from './patch/matched-unit-sets.js';
export { patchEffect } from './patch/patch-effect.js';
export type { PatchEffect } from './patch/patch-effect.js';
export { PATCH_DIRECTIONS, PATCH_FORMAT } from './patch/patch-results.js';
export type { PatchDirection, PatchEffectResult, PatchMode, PatchResults, PatchSelection } from './patch/patch-results.js';
export { describePatchStatsError } from './patch/patch-stats-error.js';
export type { PatchStatsError } from './patch/patch-stats-error.js';
export { PATCH_TEST_DEFAULTS, patchTest } from './patch/patch-test.js';
export type { AcrossPairs, PatchTestInput, PatchTestOptions, PatchTestResult } from './patch/patch-test.js';
export { setPermutationP, summarizeNull } from './patch/set-null-test.js';
export type { NullSummary } from './patch/set-null-test.js';
export { checkUnitList, topUnitsByAbsT, unitsBelowFwer } from './patch/unit-selection.js';
