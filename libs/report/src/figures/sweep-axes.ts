import type { TopLevelSpec } from 'vega-lite';
import { sweepRows, type SweepCell } from '../sweep/sweep-rows.js';
import { COLOURS, FIGURE_CONFIG, FONT_SIZE, VEGA_LITE_SCHEMA, wrapLines } from './figure-style.js';

/** Colours of the models, in order (Okabe-Ito, safe for colour-blind readers). */
const MODEL_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

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
  // Pixels per axis: room for its bars, and for its label on lines of a word or two.
  const step = Math.max(100, 26 * models.length + 30);
  // Each label on as many lines as it needs, broken at spaces and after hyphens.
  const lines = Object.fromEntries(axes.map((axis) => [axis, labelLines(axis, Math.floor(step / (0.62 * FONT_SIZE.label)))]));
  const x = { field: 'axis', type: 'nominal' as const, sort: axes, title: null, axis: { labelAngle: 0, labelLimit: 0, labelExpr: `${JSON.stringify(lines)}[datum.label]` } };
  const xOffset = { field: 'model', type: 'nominal' as const, sort: models };
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: FIGURE_CONFIG,
    title: {
      text: 'Units over threshold per axis and model, against the sign-flip null',
      subtitle: wrapLines('bar: share of units over the threshold (mean over seeds; line: their range); dark tick: the null p99 of that share', Math.max(360, 2 * step * axes.length)),
    },
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['|t| > 3', '|t| > 5'], header: { labelFontSize: 12 } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: step * axes.length,
      height: 260,
      layer: [
        {
          // One bar per axis and model: never stacked.
          mark: { type: 'bar' },
          encoding: {
            x,
            xOffset,
            y: { field: 'share', type: 'quantitative', title: 'share of units', axis: { format: '.0%' }, stack: null },
            color: { field: 'model', type: 'nominal', sort: models, title: 'model', scale: { domain: models, range: models.map((_, i) => MODEL_COLOURS[i % MODEL_COLOURS.length]!) }, legend: { orient: 'bottom' } },
            opacity: { field: 'control', type: 'nominal', scale: { domain: [false, true], range: [1, 0.45] }, legend: null },
          },
        },
        {
          mark: { type: 'rule', color: '#333', strokeWidth: 1.5 },
          encoding: { x, xOffset, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
        },
        {
          mark: { type: 'tick', color: COLOURS.nullDark, thickness: 2 },
          encoding: { x, xOffset, y: { field: 'nullShare', type: 'quantitative' } },
        },
      ],
    },
  } as TopLevelSpec;
}

/** A label broken into lines of at most `perLine` characters where it can be: at spaces, and after hyphens. */
function labelLines(label: string, perLine: number): string[] {
  const words = label.split(' ').flatMap((word) => word.split(/(?<=-)/));
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    const joined = last === undefined ? word : last.endsWith('-') ? `${last}${word}` : `${last} ${word}`;
    if (last !== undefined && joined.length <= perLine) lines[lines.length - 1] = joined;
    else lines.push(word);
  }
  return lines;
}
