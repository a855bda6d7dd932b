import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { ResultDistributions } from '../result-distributions.js';

/**
 * Split-half r across splits: a histogram of every split's r when `distributions.splitHalfR` is
 * given, else the interquartile range as a bar; the median as a solid rule and the chance level
 * (null median) as a dashed rule. Returns null when the results have no split-half section.
 */
export function splitHalfSpec(results: ProbeResults, distributions: ResultDistributions = {}): TopLevelSpec | null {
  const sh = results.splitHalf;
  if (sh === null) return null;
  const rs = distributions.splitHalfR ?? [];
  const rules = [
    ...(sh.median !== null ? [{ r: sh.median, what: 'median r' }] : []),
    ...(sh.nullMedian !== null ? [{ r: sh.nullMedian, what: 'chance (null median)' }] : []),
  ];
  const body =
    rs.length > 0
      ? {
          data: { values: rs.map((r) => ({ r })) },
          mark: { type: 'bar' as const, color: '#4c78a8' },
          encoding: {
            x: { field: 'r', type: 'quantitative' as const, bin: { maxbins: 40, extent: [-1, 1] as [number, number] }, title: 'Pearson r between halves' },
            y: { aggregate: 'count' as const, type: 'quantitative' as const, title: 'splits' },
          },
        }
      : {
          data: { values: sh.q1 !== null && sh.q3 !== null ? [{ q1: sh.q1, q3: sh.q3, label: 'IQR' }] : [] },
          mark: { type: 'bar' as const, color: '#4c78a8', height: 30 },
          encoding: {
            x: { field: 'q1', type: 'quantitative' as const, title: 'Pearson r between halves', scale: { domain: [-1, 1] as [number, number] } },
            x2: { field: 'q3' },
          },
        };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Split-half r of the per-unit t vectors (${sh.splits} splits)`,
    width: 560,
    height: 200,
    layer: [
      body,
      {
        data: { values: rules },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x: { field: 'r', type: 'quantitative' },
          color: { field: 'what', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 400 }, scale: { domain: ['median r', 'chance (null median)'], range: ['#e45756', '#79706e'] } },
          strokeDash: { field: 'what', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 400 }, scale: { domain: ['median r', 'chance (null median)'], range: [[1, 0], [4, 4]] } },
        },
      },
    ],
  };
}
