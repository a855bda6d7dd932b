import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { ProbeResults } from '@moral-plantain/stats';
import { absTHeatmapSpec, renderFigures, renderSvg, splitHalfSpec, studentTDensity, tHistogramSpec, thresholdCountsSpec } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';
import { xmlProblems } from './xml-well-formed.js';

async function svgOf(figure: string, spec: Parameters<typeof renderSvg>[1]): Promise<string> {
  const rendered = await renderSvg(figure, spec)();
  if (E.isLeft(rendered)) throw new Error(JSON.stringify(rendered.left));
  return rendered.right;
}

/** aria-labels of the data marks of one kind ("rect mark", "line mark", ...). */
function markLabels(svg: string, role: string): string[] {
  return [...svg.matchAll(new RegExp(`<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="${role}"`, 'g'))].map((m) => m[1] ?? '');
}

describe('figures', () => {
  const results = publishedResults();

  it('renders every figure of the published result as well-formed SVG', async () => {
    const figures = await renderFigures(results)();
    expect(E.isRight(figures)).toBe(true);
    if (E.isLeft(figures)) return;
    expect(figures.right.map((f) => f.path)).toEqual([
      'figures/abs-t-by-block.svg',
      'figures/t-histogram.svg',
      'figures/threshold-counts.svg',
      'figures/split-half.svg',
    ]);
    for (const figure of figures.right) {
      expect(figure.svg.startsWith('<svg')).toBe(true);
      expect(xmlProblems(figure.svg), figure.path).toEqual([]);
    }
  });

  it('colours each heatmap cell with the largest |t| of its bin, blocks by units', async () => {
    const svg = await svgOf('heatmap', absTHeatmapSpec(results, { maxColumns: 96 }));
    const cells = markLabels(svg, 'rect mark');
    // 768-unit blocks in bins of 8 units: 5 joint x 24 + 20 single x 96 cells.
    expect(cells).toHaveLength(5 * 24 + 20 * 96);
    const byKey = new Map(cells.map((label) => {
      const fields = Object.fromEntries(label.split('; ').map((kv) => kv.split(': ') as [string, string]));
      return [`${fields['block']}@${fields['unit index within block']}`, Number(fields['|t|'])];
    }));
    let offset = 0;
    for (const group of results.groups) {
      for (let start = 0; start < group.units; start += 8) {
        let max = 0;
        for (let u = start; u < Math.min(group.units, start + 8); u++) max = Math.max(max, Math.abs(results.units.t[offset + u] ?? 0));
        expect(byKey.get(`${group.name}@${start}`)).toBeCloseTo(max, 2);
      }
      offset += group.units;
    }
  });

  it.each([7e5, 7e9, 1e16, 1e308])('keeps the t histogram to at most 200 bins whatever max |t| is (%d), every unit counted', async (extreme) => {
    const t = results.units.t.map((x, u) => (u === 5 ? extreme : u === 9 ? -extreme / 3 : x));
    const spec = tHistogramSpec({ ...results, units: { ...results.units, t } });
    const started = performance.now();
    const svg = await svgOf('hist', spec);
    const bars = markLabels(svg, 'rect mark');
    expect(bars.length).toBeLessThanOrEqual(200);
    expect(bars.reduce((sum, label) => sum + Number(/units: ([\d.]+)/.exec(label)?.[1] ?? NaN), 0)).toBe(16320);
    // Generous: the point is that the cost no longer grows with the values (7e5 took minutes before).
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('draws the sampled sign-flip null when given, else the Student t reference', async () => {
    const withNull = await svgOf('hist', tHistogramSpec(results, { nullT: [-1, -0.5, 0, 0.5, 1] }));
    expect(withNull).toContain('sign-flip null (sampled)');
    expect(markLabels(withNull, 'line mark').length).toBeGreaterThan(0);
    const reference = await svgOf('hist', tHistogramSpec(results));
    expect(reference).toContain('Student t, df = 24 (reference)');
    expect(reference).not.toContain('sign-flip null (sampled)');
    // One bar per 0.25-wide bin over [-10.25, 10.25] (max |t| 10.05), one dashed rule per ±threshold.
    const bars = markLabels(reference, 'rect mark');
    expect(bars).toHaveLength((2 * Math.ceil(10.05 / 0.25)));
    const total = bars.reduce((sum, label) => sum + Number(/units: ([\d.]+)/.exec(label)?.[1] ?? NaN), 0);
    expect(total).toBe(16320);
    expect(reference.match(/aria-roledescription="rule mark"/g)).toHaveLength(4);
  });

  it('draws observed, p95 and p99 for every threshold, and null ticks only when the distribution is given', async () => {
    const plain = await svgOf('thresholds', thresholdCountsSpec(results));
    const points = markLabels(plain, 'point');
    expect(points).toHaveLength(9);
    expect(points).toContain('units over threshold: 509; threshold: |t| &gt; 5; series: observed');
    expect(points).toContain('units over threshold: 503; threshold: |t| &gt; 3; series: null p99');
    expect(markLabels(plain, 'tick')).toEqual([]);
    const withNull = await svgOf('thresholds', thresholdCountsSpec(results, { thresholdCounts: [[400, 410, 410, 520], [1, 2, 5]] }));
    // One tick per distinct null count, its share of the permutations as opacity.
    expect(markLabels(withNull, 'tick')).toEqual([
      'count: 400; threshold: |t| &gt; 3; share: 0.25',
      'count: 410; threshold: |t| &gt; 3; share: 0.5',
      'count: 520; threshold: |t| &gt; 3; share: 0.25',
      'count: 1; threshold: |t| &gt; 5; share: 0.333333333333',
      'count: 2; threshold: |t| &gt; 5; share: 0.333333333333',
      'count: 5; threshold: |t| &gt; 5; share: 0.333333333333',
    ]);
  });

  it('draws a split-half histogram from the per-split r when given, and no figure without split-half results', async () => {
    const rs = Array.from({ length: 100 }, (_, i) => 0.5 + (i % 20) * 0.005);
    const spec = splitHalfSpec(results, { splitHalfR: rs });
    if (spec === null) throw new Error('expected a split-half figure');
    const svg = await svgOf('split', spec);
    const bars = markLabels(svg, 'bar');
    expect(bars.reduce((sum, label) => sum + Number(/splits: (\d+)/.exec(label)?.[1] ?? NaN), 0)).toBe(100);
    expect(svg).toContain('chance (null median)');
    const none: ProbeResults = { ...results, splitHalf: null };
    expect(splitHalfSpec(none)).toBeNull();
    const figures = await renderFigures(none)();
    expect(E.isRight(figures) && figures.right.map((f) => f.path)).not.toContain('figures/split-half.svg');
  });

  it('keeps group names with XML and Markdown characters well-formed in the SVG', async () => {
    const nasty: ProbeResults = {
      ...results,
      groups: [{ name: '<b>&"x\' | ---', units: 16320, maxAbsT: 10.05, countAbsTOver3: 3221, medianAbsD: 0.2 }],
    };
    const svg = await svgOf('heatmap', absTHeatmapSpec(nasty));
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('&lt;b&gt;&amp;');
  });

  it('computes the Student t density in agreement with the closed forms for 1 and 2 degrees of freedom', () => {
    for (const x of [-3, -0.5, 0, 1, 4.2]) {
      expect(studentTDensity(x, 1)).toBeCloseTo(1 / (Math.PI * (1 + x * x)), 12);
      expect(studentTDensity(x, 2)).toBeCloseTo(Math.pow(2 + x * x, -1.5), 12);
    }
  });
});
