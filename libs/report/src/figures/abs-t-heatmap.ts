import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import { formatCount } from '../number-format.js';
import { FIGURE_CONFIG, VEGA_LITE_SCHEMA, wrapLines } from './figure-style.js';

/** Options of the |t| heatmap. */
export interface AbsTHeatmapOptions {
  /** Most columns per block; wider blocks are binned and each cell shows the bin's max |t|. Default 96. */
  readonly maxColumns?: number;
  /** Plot width in pixels. Default 720. */
  readonly width?: number;
}

/** Colour of a cell whose units have no defined t (zero variance). */
const UNDEFINED_FILL = '#d9d9d9';

/**
 * |t| of every unit, blocks (rows, in results order) by unit index within the block (columns).
 * To keep the SVG small, units are binned so no block has more than `maxColumns` cells; a cell's
 * colour is the largest |t| in its bin. Cells whose units all have zero variance are grey (with a
 * legend entry); a row ends where its block does. Units without a block form one row named "all units".
 */
export function absTHeatmapSpec(results: ProbeResults, options: AbsTHeatmapOptions = {}): TopLevelSpec {
  const maxColumns = Math.max(1, options.maxColumns ?? 96);
  const width = options.width ?? 720;
  const groups = results.groups.length > 0 ? results.groups : [{ name: 'all units', units: results.nUnits }];
  const widest = Math.max(1, ...groups.map((g) => g.units));
  const binWidth = Math.ceil(widest / maxColumns);
  const t = results.units.t;
  const cells: { block: string; start: number; end: number; absT: number }[] = [];
  const undefinedCells: { block: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const group of groups) {
    const bins = Math.ceil(group.units / binWidth);
    const maxima = new Float64Array(bins).fill(-1);
    for (let u = 0; u < group.units; u++) {
      const value = t[offset + u];
      if (value === null || value === undefined || Number.isNaN(value)) continue;
      const bin = Math.floor(u / binWidth);
      maxima[bin] = Math.max(maxima[bin] ?? -1, Math.abs(value));
    }
    maxima.forEach((absT, bin) => {
      const cell = { block: group.name, start: bin * binWidth, end: Math.min(group.units, (bin + 1) * binWidth) };
      if (absT >= 0) cells.push({ ...cell, absT });
      else undefinedCells.push(cell);
    });
    offset += group.units;
  }
  const y = { field: 'block', type: 'nominal' as const, sort: groups.map((g) => g.name), title: 'block', axis: { labelPadding: 4 } };
  const x = { field: 'start', type: 'quantitative' as const, title: 'unit index within block', scale: { domain: [0, widest], nice: false, zero: true }, axis: { format: 'd', tickMinStep: 1, labelFlush: true } };
  const cellText = binWidth === 1 ? 'Each cell is one unit.' : `Each cell is the largest |t| of ${formatCount(binWidth)} adjacent units.`;
  const subtitle = `${formatCount(results.nUnits)} units in ${formatCount(groups.length)} block${groups.length === 1 ? '' : 's'}, in results order. ${cellText}${undefinedCells.length > 0 ? ' Grey: no defined t (zero variance).' : ''}`;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: FIGURE_CONFIG,
    title: { text: binWidth === 1 ? '|t| per unit, by block' : `|t| per unit, by block (max over bins of ${formatCount(binWidth)} units)`, subtitle: wrapLines(subtitle, width + 60) },
    description: `Heatmap of |t| for ${formatCount(results.nUnits)} units in ${groups.length} blocks.`,
    width,
    height: { step: 16 },
    layer: [
      ...(undefinedCells.length > 0
        ? [
            {
              data: { values: undefinedCells },
              mark: { type: 'rect' as const, color: UNDEFINED_FILL },
              encoding: { x, x2: { field: 'end' }, y },
            },
          ]
        : []),
      ...(cells.length > 0
        ? [
            {
              data: { values: cells },
              mark: { type: 'rect' as const },
              encoding: {
                x,
                x2: { field: 'end' },
                y,
                color: {
                  field: 'absT',
                  type: 'quantitative' as const,
                  title: binWidth === 1 ? '|t|' : 'max |t|',
                  scale: { scheme: 'viridis' as const, domainMin: 0 },
                  // No taller than the plot, so a few blocks do not leave a tall empty figure.
                  legend: { gradientLength: Math.max(50, Math.min(200, 16 * groups.length - 24)), gradientThickness: 14, titlePadding: 8 },
                },
              },
            },
          ]
        : []),
    ],
  };
}
