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
