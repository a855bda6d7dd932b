import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';

/** Options of the |t| heatmap. */
export interface AbsTHeatmapOptions {
  /** Most columns per block; wider blocks are binned and each cell shows the bin's max |t|. Default 96. */
  readonly maxColumns?: number;
  /** Plot width in pixels. Default 720. */
  readonly width?: number;
}

/**
 * |t| of every unit, blocks (rows, in results order) by unit index within the block (columns).
 * To keep the SVG small, units are binned so no block has more than `maxColumns` cells; a cell's
 * colour is the largest |t| in its bin. Units without a block form one row named "all units".
 */
export function absTHeatmapSpec(results: ProbeResults, options: AbsTHeatmapOptions = {}): TopLevelSpec {
  const maxColumns = Math.max(1, options.maxColumns ?? 96);
  const groups = results.groups.length > 0 ? results.groups : [{ name: 'all units', units: results.nUnits }];
  const widest = Math.max(1, ...groups.map((g) => g.units));
  const binWidth = Math.ceil(widest / maxColumns);
  const t = results.units.t;
  const cells: { block: string; start: number; end: number; absT: number }[] = [];
  let offset = 0;
  for (const group of groups) {
    const bins = Math.ceil(group.units / binWidth);
    const maxima = new Float64Array(bins).fill(-1);
    for (let u = 0; u < group.units; u++) {
      const value = t[offset + u];
      if (value === null || value === undefined) continue;
      const bin = Math.floor(u / binWidth);
      maxima[bin] = Math.max(maxima[bin] ?? -1, Math.abs(value));
    }
    maxima.forEach((absT, bin) => {
      if (absT >= 0) cells.push({ block: group.name, start: bin * binWidth, end: Math.min(group.units, (bin + 1) * binWidth), absT });
    });
    offset += group.units;
  }
  const title = binWidth === 1 ? '|t| per unit' : `|t| per unit (max over bins of ${binWidth} units)`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: options.width ?? 720,
    height: { step: 14 },
    data: { values: cells },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: 'unit index within block', scale: { domain: [0, widest], nice: false } },
      x2: { field: 'end' },
      y: { field: 'block', type: 'nominal', sort: groups.map((g) => g.name), title: 'block' },
      color: { field: 'absT', type: 'quantitative', title: '|t|', scale: { scheme: 'viridis', domainMin: 0 } },
    },
  };
}
