/**
 * Number formats of the published model card.
 *
 * - counts: en-US thousands separators ("3,221");
 * - percentages: one decimal ("19.7%");
 * - ratios to the null p99: one decimal below 10 ("6.4x"), whole numbers from 10 up ("102x");
 *   the rule is applied after rounding, so 9.96 reads "10x", never "10.0x";
 * - fixed decimals for statistics ("10.05", "0.573").
 */
import { formatCount } from '@moral-plantain/formats';

/** Formats a count with en-US thousands separators, e.g. 3221 -> "3,221" (the formats package's implementation). */
export { formatCount };

/** Formats a fraction (0..1) as a percentage with one decimal, e.g. 0.19737 -> "19.7%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

/** Formats a ratio as "6.4x" (one decimal below 10) or "102x" (whole number at 10 and above). */
export function formatRatio(ratio: number): string {
  const oneDecimal = Math.round(ratio * 10) / 10;
  if (oneDecimal >= 10) return `${formatCount(ratio)}x`;
  return `${oneDecimal.toFixed(1)}x`;
}

/** Formats a number with a fixed count of decimals, or "n/a" for null / non-finite values. */
export function formatFixed(value: number | null, decimals: number): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const text = value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  // "-0.00" reads as a sign where there is none.
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/**
 * Formats a statistic such as |t|: fixed decimals (default 2) below 100,000, and from there in
 * scientific notation with two significant digits ("8.0e7"), where more decimals mean nothing.
 */
export function formatStatistic(value: number | null, decimals = 2): string {
  if (value !== null && Number.isFinite(value) && Math.abs(value) >= 1e5) return value.toExponential(1).replace('e+', 'e');
  return formatFixed(value, decimals);
}

/** Formats a threshold value in its shortest exact form, e.g. 3 -> "3", 0.8 -> "0.8". */
export function formatThreshold(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 6, useGrouping: false });
}

/** Formats a p-value: three significant digits, "< 0.001" below one in a thousand. */
export function formatP(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return 'n/a';
  if (p < 0.001) return '< 0.001';
  return p.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '');
}
