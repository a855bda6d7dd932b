/** Smallest, middle and largest of a set of timings. */
export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Min, median (mean of the two middle values for an even count) and max of a non-empty list. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}

/** `min / median / max` of a summary, each with `digits` decimals and a unit. */
export function formatSummary(summary: Summary, digits: number, unit: string): string {
  return [summary.min, summary.median, summary.max].map((v) => `${v.toFixed(digits)} ${unit}`).join(' / ');
}
