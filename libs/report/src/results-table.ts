import type { ProbeResults, ThresholdResult, ThresholdStat } from '@moral-plantain/stats';
import { degenerateUnits } from './degenerate-units.js';
import { formatCount, formatFixed, formatPercent, formatRatio, formatThreshold } from './number-format.js';
import { tableRow } from './markdown-text.js';

/** Options of the results table. */
export interface ResultsTableOptions {
  /**
   * Statistics whose threshold rows show the "N x empirical null p99" column; other rows show "-".
   * Default `['t']`, as in the published card (its |d| > 0.8 row has no significance entry).
   */
  readonly significanceFor?: readonly ThresholdStat[];
}

/**
 * The Results table as Markdown lines: one row per threshold (count and percentage, ratio to the
 * null p99), the split-half median with IQR, and the max |t|, in the published card's format.
 * Degenerate units add rows of their own (zero-variance and near-constant units), and the max |t|
 * is then that of the units that are not near-constant.
 */
export function renderResultsTable(results: ProbeResults, options: ResultsTableOptions = {}): readonly string[] {
  const significanceFor = options.significanceFor ?? ['t'];
  const degenerate = degenerateUnits(results);
  const share = (n: number) => `${formatCount(n)} (${formatPercent(results.nUnits > 0 ? n / results.nUnits : 0)})`;
  const rows = [
    tableRow(['metric', 'value', 'significance']),
    tableRow(['---', '---', '---']),
    ...results.thresholds.map((threshold) => thresholdRow(threshold, significanceFor.includes(threshold.stat))),
    splitHalfRow(results),
    ...(degenerate.zeroVariance > 0 ? [tableRow(['zero-variance units (no t or d)', share(degenerate.zeroVariance), '-'])] : []),
    ...(degenerate.nearConstant.length > 0
      ? [
          tableRow(['near-constant units (t and d measure rounding)', share(degenerate.nearConstant.length), '-']),
          tableRow(['max \\|t\\| of the other units', formatFixed(degenerate.resolvedMaxAbsT?.value ?? null, 2), '-']),
        ]
      : [tableRow(['max \\|t\\|', formatFixed(results.maxAbsT.value, 2), '-'])]),
  ];
  // The published card writes its delimiter row without padding: |---|---|---|.
  rows[1] = '|---|---|---|';
  return rows;
}

/** The significance text of one threshold count against its null p99, e.g. "6.4x empirical null p99". */
export function significanceText(threshold: ThresholdResult): string {
  if (threshold.ratioToNullP99 !== null && Number.isFinite(threshold.ratioToNullP99)) {
    return `${formatRatio(threshold.ratioToNullP99)} empirical null p99`;
  }
  // A null p99 of 0 leaves no ratio: say whether the count is above it at all.
  return threshold.observed > 0 ? 'above empirical null p99 = 0' : 'none observed; empirical null p99 = 0';
}

function thresholdRow(threshold: ThresholdResult, withSignificance: boolean): string {
  return tableRow([
    `units with \\|${threshold.stat}\\| > ${formatThreshold(threshold.value)}`,
    `${formatCount(threshold.observed)} (${formatPercent(threshold.fraction)})`,
    withSignificance ? significanceText(threshold) : '-',
  ]);
}

function splitHalfRow(results: ProbeResults): string {
  const splitHalf = results.splitHalf;
  if (splitHalf === null) return tableRow(['split-half r', 'not computed', '-']);
  return tableRow([
    `split-half r (median of ${formatCount(splitHalf.splits)} splits)`,
    formatFixed(splitHalf.median, 3),
    `IQR [${formatFixed(splitHalf.q1, 2)}, ${formatFixed(splitHalf.q3, 2)}]`,
  ]);
}
