import type { TopLevelSpec } from 'vega-lite';
import { sweepRows, type SweepCell } from '../sweep/sweep-rows.js';

/**
 * The sweep table as a figure: for |t| > 3 and |t| > 5 (one panel each), per axis a bar per model
 * (random-init controls paler, beside the model they control) with the share of units over the
 * threshold, the seeds' range as an error bar, and the null p99 share as a black tick.
 */
export function sweepAxesSpec(cells: readonly SweepCell[]): TopLevelSpec {
  const rows = sweepRows(cells);
  const withUnits = new Set(rows.map((r) => r.units)).size > 1;
  const label = (r: (typeof rows)[number]) => `${r.model}${r.controlFor !== null ? ' (control)' : ''}${withUnits ? ` [${r.units}]` : ''}`;
  const models = [...new Set(rows.map(label))];
  const axes = [...new Set(rows.map((r) => r.label))];
  const values = rows.flatMap((r) =>
    (
      [
        ['|t| > 3', r.measures.t3, r.measures.t3NullShare],
        ['|t| > 5', r.measures.t5, r.measures.t5NullShare],
      ] as const
    ).flatMap(([measure, share, nullShare]) =>
      share.mean === null ? [] : [{ axis: r.label, model: label(r), control: r.controlFor !== null, measure, share: share.mean, min: share.min, max: share.max, nullShare: nullShare.mean }],
    ),
  );
  const x = { field: 'axis', type: 'nominal' as const, sort: axes, title: null, axis: { labelAngle: 0, labelLimit: 160 } };
  const xOffset = { field: 'model', type: 'nominal' as const, sort: models };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Units over threshold per axis and model, against the sign-flip null',
      subtitle: 'bar: share of units (mean over seeds; line: their range); black tick: the null p99 of that share',
    },
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['|t| > 3', '|t| > 5'], header: { labelFontSize: 12 } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: { step: Math.max(130, 22 * models.length + 30) } as unknown as number,
      height: 260,
      layer: [
        {
          // One bar per axis and model: never stacked.
          mark: { type: 'bar' },
          encoding: {
            x,
            xOffset,
            y: { field: 'share', type: 'quantitative', title: 'share of units', axis: { format: '.0%' }, stack: null },
            color: { field: 'model', type: 'nominal', sort: models, title: 'model', legend: { orient: 'bottom', labelLimit: 300 } },
            opacity: { field: 'control', type: 'nominal', scale: { domain: [false, true], range: [1, 0.45] }, legend: null },
          },
        },
        {
          mark: { type: 'rule', color: '#333' },
          encoding: { x, xOffset, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
        },
        {
          mark: { type: 'tick', color: 'black', thickness: 2 },
          encoding: { x, xOffset, y: { field: 'nullShare', type: 'quantitative' } },
        },
      ],
    },
  } as TopLevelSpec;
}
