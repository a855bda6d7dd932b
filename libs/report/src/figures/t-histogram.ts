import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { ResultDistributions } from '../result-distributions.js';
import { studentTDensity } from './student-t.js';

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

/**
 * Histogram of the observed per-unit t against the null: the sampled sign-flip null t values when
 * `distributions.nullT` is given (rescaled to the number of units), else the Student t density
 * with n - 1 degrees of freedom as a parametric reference. Rules mark the |t| thresholds.
 */
export function tHistogramSpec(results: ProbeResults, distributions: ResultDistributions = {}, options: THistogramOptions = {}): TopLevelSpec {
  const observed = definedValues(results.units.t);
  const nullSample = distributions.nullT ?? [];
  // Past 1e300 the axis itself would overflow: such values are counted in the end bins.
  const extent = Math.min(MAX_EXTENT, Math.max(5, ...results.thresholds.filter((th) => th.stat === 't').map((th) => th.value), maxAbs(observed), maxAbs(nullSample)));
  const binWidth = histogramBinWidth(extent, options.binWidth ?? 0.25, options.maxBins ?? 200);
  const half = Math.ceil(extent / binWidth);
  const lo = -half * binWidth;
  const nBins = 2 * half;
  const bars = Array.from(binCounts(observed, lo, binWidth, nBins), (count, i) => ({ x0: lo + i * binWidth, x1: lo + (i + 1) * binWidth, count }));
  const df = results.nPairs - 1;
  const nullLabel = nullSample.length > 0 ? 'sign-flip null (sampled)' : `Student t, df = ${df} (reference)`;
  const scale = nullSample.length > 0 ? observed.length / nullSample.length : 0;
  const nullCounts = nullSample.length > 0 ? binCounts(nullSample, lo, binWidth, nBins) : null;
  const curve = Array.from({ length: nBins }, (_, i) => {
    const x = lo + (i + 0.5) * binWidth;
    const expected = nullCounts ? (nullCounts[i] ?? 0) * scale : df > 0 ? studentTDensity(x, df) * observed.length * binWidth : 0;
    return { x, expected, series: nullLabel };
  });
  const rules = results.thresholds.filter((th) => th.stat === 't').flatMap((th) => [{ at: th.value }, { at: -th.value }]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Observed t per unit against the null',
    width: options.width ?? 640,
    height: 320,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', color: '#4c78a8' },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: 't' },
          x2: { field: 'x1' },
          y: { field: 'count', type: 'quantitative', title: 'units', scale: { type: 'symlog' } },
        },
      },
      {
        data: { values: curve },
        mark: { type: 'line', color: '#e45756', strokeWidth: 2 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'expected', type: 'quantitative' },
          stroke: { field: 'series', type: 'nominal', title: null, scale: { range: ['#e45756'] }, legend: { orient: 'top-right', labelLimit: 400 } },
        },
      },
      ...(rules.length > 0
        ? [
            {
              data: { values: rules },
              mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#888' },
              encoding: { x: { field: 'at', type: 'quantitative' as const } },
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

function definedValues(values: readonly (number | null)[]): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (const value of values) if (value !== null && Number.isFinite(value)) out[n++] = value;
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
