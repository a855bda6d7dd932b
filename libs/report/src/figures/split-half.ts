import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import { formatCount, formatFixed } from '../number-format.js';
import type { ResultDistributions } from '../result-distributions.js';
import { countAxis } from './count-axis.js';
import { COLOURS, FIGURE_CONFIG, VEGA_LITE_SCHEMA, wrapLines } from './figure-style.js';

/** Plot size in pixels. */
const WIDTH = 600;
const HEIGHT = 220;
/** Bins of r over [-1, 1]. */
const BINS = 40;

/**
 * Split-half r across splits: a histogram of every split's r when `distributions.splitHalfR` is
 * given (with the r of the same splits on randomly sign-flipped pairs as a grey outline when
 * `distributions.splitHalfNullR` is), else the interquartile range as a bar; the median as a solid
 * rule and the chance level (null median) as a dashed one, each with its value in the legend.
 * Returns null when the results have no split-half section.
 */
export function splitHalfSpec(results: ProbeResults, distributions: ResultDistributions = {}): TopLevelSpec | null {
  const sh = results.splitHalf;
  if (sh === null) return null;
  const rs = distributions.splitHalfR ?? [];
  const nullRs = distributions.splitHalfNullR ?? [];
  // A true minus sign, as on the axis.
  const signed = (value: number | null) => formatFixed(value, 2).replace(/^-/, '\u2212');
  const medianLabel = `median r = ${signed(sh.median)}`;
  const chanceLabel = `chance: median r with signs flipped = ${signed(sh.nullMedian)}`;
  const nullLabel = 'r with signs flipped (chance)';
  const rules = [
    ...(sh.median !== null ? [{ r: sh.median, what: medianLabel }] : []),
    ...(sh.nullMedian !== null ? [{ r: sh.nullMedian, what: chanceLabel }] : []),
  ];
  const observedCounts = histogram(rs);
  const nullCounts = histogram(nullRs);
  const nullOutline = nullRs.length > 0 ? [...nullCounts].flatMap((count, i) => [{ r: binStart(i), count, what: nullLabel }, { r: binStart(i + 1), count, what: nullLabel }]) : [];
  const strokes = [...(nullOutline.length > 0 ? [nullLabel] : []), ...rules.map((rule) => rule.what)];
  const strokeStyle = {
    color: { field: 'what', type: 'nominal' as const, title: null, scale: { domain: strokes, range: strokes.map((s) => (s === medianLabel ? COLOURS.threshold : COLOURS.nullDark)) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, symbolType: 'stroke' } },
    strokeDash: { field: 'what', type: 'nominal' as const, title: null, scale: { domain: strokes, range: strokes.map((s) => (s === chanceLabel ? [5, 4] : [1, 0])) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, symbolType: 'stroke' } },
  };
  const x = { type: 'quantitative' as const, title: "Pearson r between the two halves' per-unit t", scale: { domain: [-1, 1] as [number, number], nice: false }, axis: { values: Array.from({ length: 11 }, (_, i) => -1 + i * 0.2), format: '.1f', labelFlush: true } };
  const axis = countAxis(Math.max(0, ...observedCounts, ...nullCounts), 1, { title: 'splits', pixels: HEIGHT, orient: 'y', scale: 'linear' });
  const half = Math.floor(results.nPairs / 2);
  const subtitle =
    `Each of ${formatCount(sh.splits)} random splits divides the ${results.nPairs} pairs into halves of ${half} and ${results.nPairs - half} and correlates the halves' t over units.` +
    (sh.spearmanBrownMedian !== null ? ` Spearman-Brown of the median: ${formatFixed(sh.spearmanBrownMedian, 2)}.` : '') +
    (rs.length === 0 ? (sh.q1 !== null ? ' Bar: interquartile range of r.' : ' No split gave an r.') : '');
  const body =
    rs.length > 0
      ? {
          data: { values: [...observedCounts].map((count, i) => ({ r0: binStart(i), r1: binStart(i + 1), count })) },
          mark: { type: 'rect' as const, opacity: 0.85 },
          encoding: {
            x: { ...x, field: 'r0' },
            x2: { field: 'r1' },
            y: { field: 'count', type: 'quantitative' as const, title: 'splits', scale: axis.scale, axis: axis.axis },
            fill: { datum: `r of each split (${formatCount(rs.length)})`, type: 'nominal' as const, title: null, scale: { range: [COLOURS.observed] }, legend: { orient: 'bottom' as const, direction: 'vertical' as const, symbolType: 'square' } },
          },
        }
      : {
          data: { values: sh.q1 !== null && sh.q3 !== null ? [{ q1: sh.q1, q3: sh.q3 }] : [] },
          mark: { type: 'bar' as const, color: COLOURS.observed, height: 30, opacity: 0.85 },
          encoding: { x: { ...x, field: 'q1' }, x2: { field: 'q3' } },
        };
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: FIGURE_CONFIG,
    title: { text: `Split-half reliability of the per-unit t (${formatCount(sh.splits)} splits)`, subtitle: wrapLines(subtitle, WIDTH + 60) },
    description: `Split-half r of the per-unit t vectors over ${sh.splits} splits, median ${formatFixed(sh.median, 3)}, chance ${formatFixed(sh.nullMedian, 3)}.`,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      body,
      ...(nullOutline.length > 0
        ? [
            {
              data: { values: nullOutline },
              mark: { type: 'line' as const, strokeWidth: 1.5 },
              encoding: { x: { ...x, field: 'r' }, y: { field: 'count', type: 'quantitative' as const }, ...strokeStyle },
            },
          ]
        : []),
      ...(rules.length > 0
        ? [
            {
              data: { values: rules },
              mark: { type: 'rule' as const, strokeWidth: 2 },
              encoding: { x: { ...x, field: 'r' }, ...strokeStyle },
            },
          ]
        : []),
    ],
  };
}

function binStart(i: number): number {
  return -1 + (2 * i) / BINS;
}

/** Counts of r in 40 equal bins over [-1, 1] (r = 1 in the last); undefined r left out. */
function histogram(values: readonly number[]): Float64Array {
  const counts = new Float64Array(BINS);
  for (const r of values) {
    if (!Number.isFinite(r)) continue;
    const bin = Math.min(BINS - 1, Math.max(0, Math.floor(((r + 1) / 2) * BINS)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}
