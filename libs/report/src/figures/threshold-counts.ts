import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import { formatCount, formatThreshold } from '../number-format.js';
import type { ResultDistributions } from '../result-distributions.js';
import { countAxis } from './count-axis.js';
import { COLOURS, FIGURE_CONFIG, VEGA_LITE_SCHEMA, textWidth, wrapLines } from './figure-style.js';

/** Plot width in pixels. */
const WIDTH = 600;
/** Height of one lane (observed, p95, p99, null counts) of a threshold's row, in pixels. */
const LANE = 20;
/** Most marks in a threshold's strip of null counts; more distinct counts are pooled by position. */
export const MAX_NULL_MARKS = 150;

const OBSERVED = 'observed count';
const P95 = 'null p95';
const P99 = 'null p99';
const EACH_FLIP = 'null count of each sign flip';

/**
 * Each threshold's count of units against its sign-flip null, one row per threshold with a lane
 * per series so no marker hides another: the observed count, the null p95 and p99, and, when
 * `distributions.thresholdCounts` is given, the count under each sign flip (a tick per distinct
 * count, darker where more flips gave it; pooled into at most 150 marks). The count axis starts at
 * 0 with whole-number ticks, symmetric-log when the counts span orders of magnitude (said in its
 * title). Each marker carries its value.
 */
export function thresholdCountsSpec(results: ProbeResults, distributions: ResultDistributions = {}): TopLevelSpec {
  const labels = results.thresholds.map((th) => `|${th.stat}| > ${formatThreshold(th.value)}`);
  const nullCounts = results.thresholds.map((_, i) => distributions.thresholdCounts?.[i] ?? []);
  const withStrip = nullCounts.some((c) => c.length > 0);
  const lanes = [OBSERVED, P95, P99, ...(withStrip ? [EACH_FLIP] : [])];
  const values = results.thresholds.flatMap((th) => [th.observed, th.nullP95, th.nullP99]);
  const stripValues = nullCounts.flatMap(range);
  const everything = [...values, ...stripValues];
  const positive = everything.filter((v) => v > 0);
  const axis = countAxis(Math.max(0, ...everything), positive.length > 0 ? Math.min(...positive) : null, { title: 'units over threshold', pixels: WIDTH, orient: 'x' });

  const markers = results.thresholds.flatMap((th, i) =>
    (
      [
        [OBSERVED, th.observed],
        [P95, th.nullP95],
        [P99, th.nullP99],
      ] as const
    ).map(([lane, count]) => {
      const text = countText(count);
      // The value goes right of its marker unless that would run past the plot.
      const right = axis.position(count) * WIDTH + 10 + textWidth(text) <= WIDTH;
      return { threshold: labels[i], lane, count, text, side: right ? 'right' : 'left' };
    }),
  );
  const strip = nullCounts.flatMap((counts, i) => nullStrip(counts, axis.position).map((mark) => ({ threshold: labels[i], lane: EACH_FLIP, ...mark })));
  const y = { field: 'threshold', type: 'nominal' as const, sort: labels, title: null, axis: { labelPadding: 16, domain: false, ticks: false } };
  const yOffset = { field: 'lane', type: 'nominal' as const, sort: lanes, scale: { domain: lanes, paddingOuter: 0.3 } };
  const x = { field: 'count', type: 'quantitative' as const, title: 'units over threshold', scale: axis.scale, axis: axis.axis };
  const shareOpacity = { field: 'share', type: 'quantitative' as const, legend: null, scale: { domain: [0, 1], range: [0.25, 1] } };
  const valueLabel = (side: 'right' | 'left') => ({
    data: { values: markers.filter((m) => m.side === side) },
    mark: { type: 'text' as const, align: side === 'right' ? ('left' as const) : ('right' as const), dx: side === 'right' ? 10 : -10, baseline: 'middle' as const, fontSize: 11, color: '#222' },
    encoding: { x, y, yOffset, text: { field: 'text', type: 'nominal' as const } },
  });
  const flips = results.permutation.exact ? `all ${formatCount(results.permutation.count)} sign flips` : `${formatCount(results.permutation.count)} random sign flips`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: FIGURE_CONFIG,
    title: {
      text: 'Units over each threshold: observed count and its sign-flip null',
      subtitle: wrapLines(
        `Null: ${flips} of the ${results.nPairs} pairs (${results.permutation.tail}); p95 / p99 are its 95th / 99th percentiles.` +
          (withStrip ? ' Grey ticks: the count under each flip, darker where more flips gave it.' : ''),
        WIDTH + 80,
      ),
    },
    description: `Threshold counts of ${formatCount(results.nUnits)} units against the sign-flip null, ${axis.symlog ? 'symmetric log' : 'linear'} count axis.`,
    width: WIDTH,
    height: { step: LANE, for: 'offset' },
    layer: [
      ...(strip.some((m) => m.to > m.from)
        ? [
            {
              data: { values: strip.filter((m) => m.to > m.from) },
              mark: { type: 'rect' as const, color: COLOURS.nullDark, height: LANE * 0.6 },
              encoding: { x: { ...x, field: 'from' }, x2: { field: 'to' }, y, yOffset, opacity: shareOpacity },
            },
          ]
        : []),
      ...(strip.some((m) => m.to === m.from)
        ? [
            {
              data: { values: strip.filter((m) => m.to === m.from) },
              mark: { type: 'tick' as const, color: COLOURS.nullDark, thickness: 2, size: LANE * 0.7 },
              encoding: { x: { ...x, field: 'from' }, y, yOffset, opacity: shareOpacity },
            },
          ]
        : []),
      {
        data: { values: markers },
        mark: { type: 'point', filled: true, opacity: 1 },
        encoding: {
          x,
          y,
          yOffset,
          color: {
            field: 'lane',
            type: 'nominal',
            title: null,
            scale: { domain: lanes, range: [COLOURS.observed, COLOURS.nullLight, COLOURS.nullDark, COLOURS.nullDark].slice(0, lanes.length) },
            legend: { orient: 'bottom', direction: 'horizontal', columns: 2, symbolSize: 120 },
          },
          // A diamond looks smaller than a circle of the same area.
          size: { field: 'lane', type: 'nominal', legend: null, scale: { domain: lanes, range: [170, 110, 110, 110].slice(0, lanes.length) } },
          shape: {
            field: 'lane',
            type: 'nominal',
            title: null,
            // The last shape is a thin bar, as the null counts are drawn.
            scale: { domain: lanes, range: ['diamond', 'circle', 'circle', 'M-0.2,-1H0.2V1H-0.2Z'].slice(0, lanes.length) },
            legend: { orient: 'bottom', direction: 'horizontal', columns: 2 },
          },
        },
      },
      valueLabel('right'),
      valueLabel('left'),
    ],
  };
}

/** Smallest and largest of the finite counts (none when there are none), without spreading a long array into arguments. */
function range(counts: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of counts) {
    if (!Number.isFinite(c)) continue;
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  return lo <= hi ? [lo, hi] : [];
}

/** A count as the figure writes it: whole numbers with separators, else three significant digits. */
function countText(count: number): string {
  if (!Number.isFinite(count)) return String(count);
  return Math.abs(count - Math.round(count)) < 1e-9 ? formatCount(Math.round(count)) : count.toPrecision(3).replace(/\.?0+$/, '');
}

/**
 * The null counts of one threshold as marks: each distinct count with its share of the flips, or,
 * past MAX_NULL_MARKS distinct counts, the counts pooled by position along the axis (a mark then
 * spans its pool's smallest to largest count).
 */
function nullStrip(counts: readonly number[], position: (count: number) => number): { from: number; to: number; share: number }[] {
  if (counts.length === 0) return [];
  const frequency = new Map<number, number>();
  for (const c of counts) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  const distinct = [...frequency].sort((a, b) => a[0] - b[0]);
  if (distinct.length <= MAX_NULL_MARKS) return relativeShares(distinct.map(([count, n]) => ({ from: count, to: count, share: n })));
  const pools = new Map<number, { from: number; to: number; share: number }>();
  for (const [count, n] of distinct) {
    const pool = Math.min(MAX_NULL_MARKS - 1, Math.floor(position(count) * MAX_NULL_MARKS));
    const entry = pools.get(pool);
    if (entry) {
      entry.to = count;
      entry.share += n;
    } else pools.set(pool, { from: count, to: count, share: n });
  }
  return relativeShares([...pools.values()]);
}

/** Each mark's flips as a share of the most any mark of its threshold has (1 for the most frequent). */
function relativeShares(marks: { from: number; to: number; share: number }[]): { from: number; to: number; share: number }[] {
  const most = Math.max(...marks.map((m) => m.share));
  return marks.map((m) => ({ ...m, share: m.share / most }));
}
