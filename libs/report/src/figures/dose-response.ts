import type { PatchEffectResult, PatchResults } from '@moral-plantain/stats';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { TopLevelSpec } from 'vega-lite';
import { formatThreshold } from '../number-format.js';
import type { ReportError } from '../report-error.js';
import { renderSvg } from './render-svg.js';

/** Path of the dose-response figure inside a run folder. */
export const PATCH_FIGURE_FILE = 'figures/patch-dose-response.svg';

/** How a patch mode reads in figures and tables: "RMS matched", "zero-ablated", "x 0.5". */
export function patchModeText(effect: Pick<PatchEffectResult, 'mode' | 'factor'>): string {
  return effect.mode === 'match' ? 'RMS matched' : effect.mode === 'zero' ? 'zero-ablated' : `scaled x ${formatThreshold(effect.factor ?? 1)}`;
}

/**
 * The dose-response figure of a patch: the fraction of the a-to-b change reproduced against the
 * number of units patched (log axis), the selected units as a line with points, the random sets'
 * median as a dashed line and their 5th to 95th percentile as a band; one panel per mode.
 */
export function doseResponseSpec(patch: PatchResults): TopLevelSpec {
  const values = patch.effects.map((effect) => ({
    k: effect.k,
    mode: patchModeText(effect),
    observed: effect.fraction.observed,
    median: effect.fraction.null.p50,
    low: effect.fraction.null.p05,
    high: effect.fraction.null.p95,
    p: effect.fraction.p,
  }));
  const modes = [...new Set(values.map((v) => v.mode))];
  const x = { field: 'k', type: 'quantitative' as const, title: 'units patched (k)', scale: { type: 'log' as const }, axis: { values: [...new Set(values.map((v) => v.k))], format: 'd' } };
  const y = { type: 'quantitative' as const, title: 'fraction of the a-to-b change reproduced' };
  const series = { domain: ['selected units', 'random sets (median)', 'random sets (5th-95th pct)'], range: ['#e45756', '#79706e', '#bab0ac'] };
  // Each layer's colour is a constant of one scale, so the three share one legend.
  const color = (what: string) => ({ datum: what, type: 'nominal' as const, title: null, scale: series, legend: { orient: 'bottom' as const, labelLimit: 400, symbolOpacity: 1 } });
  const layer = [
    {
      mark: { type: 'area' as const, opacity: 0.35 },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: color('random sets (5th-95th pct)') },
    },
    {
      // The same range as a bar at each k, so a single k shows it too.
      mark: { type: 'rule' as const, strokeWidth: 6, opacity: 0.6 },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: color('random sets (5th-95th pct)') },
    },
    {
      mark: { type: 'line' as const, strokeDash: [4, 4], point: true },
      encoding: { x, y: { ...y, field: 'median' }, color: color('random sets (median)') },
    },
    {
      mark: { type: 'line' as const, point: { filled: true, size: 70 } },
      encoding: {
        x,
        y: { ...y, field: 'observed' },
        color: color('selected units'),
        tooltip: [{ field: 'k' }, { field: 'observed', format: '.3f' }, { field: 'p', format: '.3g' }],
      },
    },
  ];
  const title = `Patch effect against ${patch.null.sets} random unit sets from the same blocks`;
  if (modes.length <= 1) {
    return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: 480, height: 260, data: { values }, layer } as TopLevelSpec;
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { column: { field: 'mode', type: 'nominal', title: null, sort: modes } },
    spec: { width: 260, height: 220, layer },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** The dose-response figure of a patch rendered to SVG (`doseResponseSpec`). */
export function renderDoseResponse(patch: PatchResults): TE.TaskEither<ReportError, string> {
  return renderSvg(PATCH_FIGURE_FILE, doseResponseSpec(patch));
}
