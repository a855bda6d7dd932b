import { quantile, type ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import { formatCount, formatFixed, formatThreshold } from '../number-format.js';
import type { ResultDistributions } from '../result-distributions.js';
import { countAxis } from './count-axis.js';
import { COLOURS, FIGURE_CONFIG, VEGA_LITE_SCHEMA, wrapLines } from './figure-style.js';
import { studentTProbability } from './student-t.js';

/** Options of the t histogram. */
export interface THistogramOptions {
  /** Bin width in units of t, widened to a round step where the t values span more than `maxBins` bins. Default 0.25. */
  readonly binWidth?: number;
  /** Most bins, whatever the values (so the figure's size does not grow with max |t|). Default 200. */
  readonly maxBins?: number;
  /** Plot width in pixels. Default 640. */
  readonly width?: number;
}

/** Largest |t| the axis spans. */
const MAX_EXTENT = 1e300;
/** Plot height in pixels. */
const HEIGHT = 320;

/**
 * Histogram of the observed per-unit t with what the null expects in each bin: the permutation null
 * (the t of every unit under a sample of the sign flips, `distributions.nullT`, scaled to the number
 * of units) when given, else Student's t with n - 1 degrees of freedom, which is the null of t only
 * for independent normal differences and is labelled as a parametric reference. Dashed rules mark
 * the |t| thresholds; a dotted rule the FWER 5% level (95th percentile of the null max |t|) when
 * `distributions.nullMaxT` is given. The title says which null is drawn; the count axis says its scale.
 */
export function tHistogramSpec(results: ProbeResults, distributions: ResultDistributions = {}, options: THistogramOptions = {}): TopLevelSpec {
  const width = options.width ?? 640;
  const observed = definedValues(results.units.t);
  const nullSample = definedValues(distributions.nullT ?? []);
  const permutationNull = nullSample.length > 0;
  const df = results.nPairs - 1;
  const tail = results.permutation.tail;
  const mirrored = (at: number) => (tail === 'two-sided' ? [at, -at] : tail === 'greater' ? [at] : [-at]);
  const tThresholds = results.thresholds.filter((th) => th.stat === 't').map((th) => th.value);
  const fwer = observed.length > 0 && distributions.nullMaxT && distributions.nullMaxT.length > 0 ? quantile(distributions.nullMaxT, 0.95) : null;
  const fwerCut = fwer !== null && Number.isFinite(fwer) && fwer > 0 ? fwer : null;

  // Past 1e300 the axis itself would overflow: such values are counted in the end bins.
  const extent = Math.min(MAX_EXTENT, Math.max(5, ...tThresholds, fwerCut ?? 0, maxAbs(observed), maxAbs(nullSample)));
  // Two of the bins are the empty margins.
  const binWidth = histogramBinWidth(extent, options.binWidth ?? 0.25, (options.maxBins ?? 200) - 2);
  // One empty bin beyond the extent keeps a rule at a threshold off the plot's edge.
  const half = Math.ceil(extent / binWidth) + 1;
  const lo = -half * binWidth;
  const nBins = 2 * half;
  const observedCounts = binCounts(observed, lo, binWidth, nBins);
  const bars = Array.from(observedCounts, (count, i) => ({ x0: lo + i * binWidth, x1: lo + (i + 1) * binWidth, count }));
  const nullCounts = permutationNull ? binCounts(nullSample, lo, binWidth, nBins) : null;
  const expected = Array.from({ length: nBins }, (_, i) =>
    nullCounts ? ((nullCounts[i] ?? 0) * observed.length) / nullSample.length : df > 0 ? observed.length * studentTProbability(lo + i * binWidth, lo + (i + 1) * binWidth, df) : 0,
  );
  const nullLabel = permutationNull ? 'sign-flip permutation null' : `Student's t, df = ${df} (parametric reference)`;
  // A step outline: each bin's expected count held across the bin.
  const nullLine = observed.length > 0 ? expected.flatMap((e, i) => [{ t: lo + i * binWidth, expected: e, series: nullLabel }, { t: lo + (i + 1) * binWidth, expected: e, series: nullLabel }]) : [];

  const thresholdLabel = `|t| threshold${tThresholds.length > 1 ? 's' : ''} ${tThresholds.map(formatThreshold).join(', ')}`;
  const fwerLabel = fwerCut !== null ? `FWER 5%: null max ${tail === 'two-sided' ? '|t|' : 't'} p95 = ${formatFixed(fwerCut, 2)}` : '';
  const rules = [
    ...tThresholds.flatMap((value) => mirrored(value).map((at) => ({ at, series: thresholdLabel }))),
    ...(fwerCut !== null ? mirrored(fwerCut).map((at) => ({ at, series: fwerLabel })) : []),
  ];
  const lines = [...(nullLine.length > 0 ? [nullLabel] : []), ...(tThresholds.length > 0 ? [thresholdLabel] : []), ...(fwerCut !== null ? [fwerLabel] : [])];
  const lineStyle = {
    color: { field: 'series', type: 'nominal' as const, title: null, scale: { domain: lines, range: lines.map((l) => (l === nullLabel ? COLOURS.nullDark : l === thresholdLabel ? COLOURS.threshold : COLOURS.fwer)) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, symbolType: 'stroke' } },
    strokeDash: { field: 'series', type: 'nominal' as const, title: null, scale: { domain: lines, range: lines.map((l) => (l === nullLabel ? [1, 0] : l === thresholdLabel ? [6, 4] : [2, 3])) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, symbolType: 'stroke' } },
  };

  const largest = Math.max(0, ...observedCounts, ...expected);
  const axis = countAxis(largest, observed.length > 0 ? 1 : null, { title: `units per bin of ${formatWidth(binWidth)}`, pixels: HEIGHT, orient: 'y' });
  const zeroVariance = results.nUnits - observed.length;
  const subtitle =
    observed.length === 0
      ? `No unit has a defined t: all ${formatCount(results.nUnits)} units have zero variance.`
      : `${formatCount(observed.length)} units, ${results.nPairs} pairs` +
        (zeroVariance > 0 ? ` (${formatCount(zeroVariance)} units of zero variance left out)` : '') +
        '. ' +
        (permutationNull
          ? `Null: the t of every unit under ${flipsText(distributions.nullTFlips, results.permutation.count)}, scaled to ${formatCount(observed.length)} units.`
          : `Reference: Student's t with n - 1 = ${df} degrees of freedom, scaled to ${formatCount(observed.length)} units (the null of t for independent normal differences; no permutation null was given).`);
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: FIGURE_CONFIG,
    title: {
      text:
        observed.length === 0
          ? 'Per-unit t: no unit has a defined t'
          : permutationNull
            ? 'Per-unit t: observed and under the sign-flip permutation null'
            : `Per-unit t: observed and Student's t (df = ${df}) for reference`,
      subtitle: wrapLines(subtitle, width + 60),
    },
    description: `Histogram of the paired t of ${formatCount(observed.length)} units against ${nullLabel}, ${axis.symlog ? 'symmetric log' : 'linear'} count axis.`,
    width,
    height: HEIGHT,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', opacity: 0.85 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: 'paired t of a unit', scale: { domain: [lo, -lo], nice: false, zero: false }, axis: { labelFlush: true } },
          x2: { field: 'x1' },
          y: { field: 'count', type: 'quantitative', title: 'units', scale: axis.scale, axis: axis.axis },
          fill: { datum: 'observed units', type: 'nominal', title: null, scale: { range: [COLOURS.observed] }, legend: { orient: 'bottom', direction: 'vertical', symbolType: 'square' } },
        },
      },
      ...(nullLine.length > 0
        ? [
            {
              data: { values: nullLine },
              mark: { type: 'line' as const, strokeWidth: 2 },
              encoding: { x: { field: 't', type: 'quantitative' as const }, y: { field: 'expected', type: 'quantitative' as const }, ...lineStyle },
            },
          ]
        : []),
      ...(rules.length > 0
        ? [
            {
              data: { values: rules },
              mark: { type: 'rule' as const, strokeWidth: 1.5 },
              encoding: { x: { field: 'at', type: 'quantitative' as const }, ...lineStyle },
            },
          ]
        : []),
    ],
  };
}

/**
 * The preferred bin width, or where [-extent, extent] would need more than `maxBins` bins of it, the
 * smallest round width (1, 2 or 5 times a power of ten) that needs at most `maxBins`.
 */
export function histogramBinWidth(extent: number, preferred: number, maxBins: number): number {
  if (2 * Math.ceil(extent / preferred) <= maxBins) return preferred;
  const least = extent / ((maxBins - 2) / 2);
  const power = 10 ** Math.floor(Math.log10(least));
  const step = [1, 2, 5, 10].map((m) => m * power).find((w) => 2 * Math.ceil(extent / w) <= maxBins);
  return step ?? 10 * power;
}

/** "all 1,000 sign flips", "16 of the 1,000 sign flips", or "the sign flips" when the number used is not known. */
function flipsText(used: number | undefined, total: number): string {
  if (used === undefined) return 'the sign flips';
  return used >= total ? `all ${formatCount(total)} sign flips` : `${formatCount(used)} of the ${formatCount(total)} sign flips`;
}

/** A bin width as the axis title writes it: 0.25, 10,000 or 2e+298. */
function formatWidth(width: number): string {
  if (width >= 1e6) return width.toExponential(0);
  return Number.isInteger(width) ? formatCount(width) : formatThreshold(width);
}

function definedValues(values: ArrayLike<number | null>): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined && Number.isFinite(value)) out[n++] = value;
  }
  return out.subarray(0, n);
}

function binCounts(values: ArrayLike<number>, lo: number, width: number, nBins: number): Float64Array {
  const counts = new Float64Array(nBins);
  for (let i = 0; i < values.length; i++) {
    const bin = Math.min(nBins - 1, Math.max(0, Math.floor(((values[i] ?? 0) - lo) / width)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

function maxAbs(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) best = Math.max(best, Math.abs(values[i] ?? 0));
  return best;
}
