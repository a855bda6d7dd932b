import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { ResultDistributions } from '../result-distributions.js';
import { formatThreshold } from '../number-format.js';

/**
 * Each threshold count against its null: the observed count, the null p95 and p99, and, when
 * `distributions.thresholdCounts` is given, every distinct null count as a tick (opacity by how
 * often it occurred). Counts are on a symlog axis so 5 and 3,221 share one plot.
 */
export function thresholdCountsSpec(results: ProbeResults, distributions: ResultDistributions = {}): TopLevelSpec {
  const label = (i: number) => {
    const th = results.thresholds[i];
    return th ? `|${th.stat}| > ${formatThreshold(th.value)}` : '';
  };
  const labels = results.thresholds.map((_, i) => label(i));
  const markers = results.thresholds.flatMap((th, i) => [
    { threshold: label(i), count: th.nullP95, series: 'null p95' },
    { threshold: label(i), count: th.nullP99, series: 'null p99' },
    { threshold: label(i), count: th.observed, series: 'observed' },
  ]);
  const ticks = (distributions.thresholdCounts ?? []).flatMap((counts, i) => {
    if (i >= results.thresholds.length) return [];
    const frequency = new Map<number, number>();
    for (const c of counts) frequency.set(c, (frequency.get(c) ?? 0) + 1);
    return [...frequency].map(([count, n]) => ({ threshold: label(i), count, share: n / counts.length }));
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Threshold counts against their sign-flip null',
    width: 560,
    height: { step: 40 },
    layer: [
      ...(ticks.length > 0
        ? [
            {
              data: { values: ticks },
              mark: { type: 'tick' as const, color: '#9e9e9e', thickness: 1 },
              encoding: {
                x: { field: 'count', type: 'quantitative' as const, scale: { type: 'symlog' as const } },
                y: { field: 'threshold', type: 'nominal' as const, sort: labels },
                opacity: { field: 'share', type: 'quantitative' as const, legend: null, scale: { range: [0.2, 1] } },
              },
            },
          ]
        : []),
      {
        data: { values: markers },
        mark: { type: 'point', filled: true, size: 90 },
        encoding: {
          x: { field: 'count', type: 'quantitative', title: 'units over threshold', scale: { type: 'symlog' } },
          y: { field: 'threshold', type: 'nominal', sort: labels, title: null },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: ['null p95', 'null p99', 'observed'], range: ['#bab0ac', '#79706e', '#e45756'] },
          },
          shape: { field: 'series', type: 'nominal', scale: { domain: ['null p95', 'null p99', 'observed'], range: ['circle', 'circle', 'diamond'] } },
        },
      },
    ],
  };
}
