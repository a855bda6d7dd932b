import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { ProbeResults } from '@moral-plantain/stats';
import {
  absTHeatmapSpec,
  MAX_NULL_MARKS,
  renderFigures,
  renderSvg,
  splitHalfSpec,
  studentTDensity,
  studentTProbability,
  studentTSurvival,
  tHistogramSpec,
  thresholdCountsSpec,
} from '../src/index.js';
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

/** SciPy's Student t survival function and interval probabilities (tools/report-fixtures/student-t.py). */
const scipyStudentT = JSON.parse(readFileSync(new URL('./fixtures/student-t-scipy.json', import.meta.url), 'utf8')) as {
  survival: { t: number; df: number; sf: number }[];
  intervals: { lo: number; hi: number; df: number; p: number }[];
};

/** The t histogram's null line: expected units of each bin, by the bin's lower edge. */
function nullLine(spec: ReturnType<typeof tHistogramSpec>): Map<number, number> {
  const layer = (spec as { layer: { data: { values: { t: number; expected: number }[] } }[] }).layer[1];
  // Two points per bin (its edges): the first of each pair is the bin's lower edge.
  return new Map((layer?.data.values ?? []).filter((_, i) => i % 2 === 0).map((v) => [v.t, v.expected]));
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
      return [`${fields['block']}@${fields['unit index within block']}`, Number(fields['max |t|'])];
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
    expect(bars.reduce((sum, label) => sum + Number(/units: ([\d.,]+)/.exec(label)?.[1]?.replace(/,/g, '') ?? NaN), 0)).toBe(16320);
    // Generous: the point is that the cost no longer grows with the values (7e5 took minutes before).
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('draws the permutation null of t when given, else the Student t reference, and titles the figure by which', async () => {
    const withNull = await svgOf('hist', tHistogramSpec(results, { nullT: [-1, -0.5, 0, 0.5, 1], nullTFlips: 1 }));
    expect(withNull).toContain('Per-unit t: observed and under the sign-flip permutation null');
    expect(markLabels(withNull, 'line mark')[0]).toContain('series: sign-flip permutation null');
    const reference = await svgOf('hist', tHistogramSpec(results));
    expect(reference).toContain("Per-unit t: observed and Student's t (df = 24) for reference");
    expect(reference).toContain("Student's t, df = 24 (parametric reference)");
    expect(reference).not.toContain('sign-flip permutation null');
    expect(reference).toContain('no permutation null was given');
    // One bar per 0.25-wide bin over [-10.5, 10.5] (max |t| 10.05, one empty bin beyond), one dashed rule per ±threshold.
    const bars = markLabels(reference, 'rect mark');
    expect(bars).toHaveLength(2 * (Math.ceil(10.05 / 0.25) + 1));
    const total = bars.reduce((sum, label) => sum + Number(/units: ([\d.,]+)/.exec(label)?.[1]?.replace(/,/g, '') ?? NaN), 0);
    expect(total).toBe(16320);
    expect(reference.match(/aria-roledescription="rule mark"/g)).toHaveLength(4);
  });

  it('scales the null to the units: the expected count of a bin is the null share of the bin times the units', () => {
    // Half of the null in [0, 0.25), half in [1, 1.25): 8,160 units expected in each of those bins.
    const nullT = [...Array(50).fill(0.1), ...Array(50).fill(1.1)] as number[];
    const expected = nullLine(tHistogramSpec(results, { nullT }));
    expect(expected.get(0)).toBe(8160);
    expect(expected.get(1)).toBe(8160);
    expect(expected.get(0.5)).toBe(0);
  });

  it('draws the Student t reference as probabilities of whole bins (a bin of width 1e4 holds nearly all units)', () => {
    const t = results.units.t.map((x, u) => (u === 5 ? 7e5 : x));
    const expected = [...nullLine(tHistogramSpec({ ...results, units: { ...results.units, t } })).values()];
    expect(expected.reduce((sum, e) => sum + e, 0)).toBeCloseTo(16320, 6);
    expect(Math.max(...expected)).toBeGreaterThan(0.49 * 16320);
  });

  it('marks the FWER 5% level at the 95th percentile of the null max |t|, both signs for a two-sided test', async () => {
    const nullMaxT = Array.from({ length: 101 }, (_, i) => 4 + i / 100);
    const svg = await svgOf('hist', tHistogramSpec(results, { nullMaxT }));
    const ruleLabels = (text: string) => [...text.matchAll(/<line aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="rule mark"/g)].map((m) => m[1] ?? '');
    const rules = ruleLabels(svg).filter((l) => l.includes('FWER'));
    expect(rules).toEqual(['at: 4.95; series: FWER 5%: null max |t| p95 = 4.95', 'at: −4.95; series: FWER 5%: null max |t| p95 = 4.95']);
    const greater = await svgOf('hist', tHistogramSpec({ ...results, permutation: { ...results.permutation, tail: 'greater' } }, { nullMaxT }));
    expect(ruleLabels(greater).filter((l) => l.includes('FWER'))).toEqual(['at: 4.95; series: FWER 5%: null max t p95 = 4.95']);
  });

  it('draws observed, p95 and p99 for every threshold in lanes of their own, and null ticks only when the distribution is given', async () => {
    const plain = await svgOf('thresholds', thresholdCountsSpec(results));
    const points = markLabels(plain, 'point');
    expect(points).toHaveLength(9);
    expect(points).toContain('units over threshold: 509; threshold: |t| &gt; 5; lane: observed count');
    expect(points).toContain('units over threshold: 503; threshold: |t| &gt; 3; lane: null p99');
    expect(markLabels(plain, 'tick')).toEqual([]);
    // Each marker carries its value.
    for (const value of ['3,221', '509', '1,386', '420', '503', '2', '5', '30', '41']) expect(plain).toContain(`>${value}</text>`);
    const withNull = await svgOf('thresholds', thresholdCountsSpec(results, { thresholdCounts: [[400, 410, 410, 520], [1, 2, 5]] }));
    // One tick per distinct null count, its frequency relative to the most frequent count of its threshold as opacity.
    expect(markLabels(withNull, 'tick')).toEqual([
      'units over threshold: 400; threshold: |t| &gt; 3; lane: null count of each sign flip; share: 0.5',
      'units over threshold: 410; threshold: |t| &gt; 3; lane: null count of each sign flip; share: 1',
      'units over threshold: 520; threshold: |t| &gt; 3; lane: null count of each sign flip; share: 0.5',
      'units over threshold: 1; threshold: |t| &gt; 5; lane: null count of each sign flip; share: 1',
      'units over threshold: 2; threshold: |t| &gt; 5; lane: null count of each sign flip; share: 1',
      'units over threshold: 5; threshold: |t| &gt; 5; lane: null count of each sign flip; share: 1',
    ]);
  });

  it(`pools a threshold's null counts into at most ${MAX_NULL_MARKS} marks however many distinct counts there are`, async () => {
    const spread = Array.from({ length: 10_000 }, (_, i) => i);
    const svg = await svgOf('thresholds', thresholdCountsSpec(results, { thresholdCounts: [spread] }));
    const marks = [...markLabels(svg, 'tick'), ...markLabels(svg, 'rect mark')];
    expect(marks.length).toBeLessThanOrEqual(MAX_NULL_MARKS);
    expect(marks.length).toBeGreaterThan(MAX_NULL_MARKS / 2);
  });

  it('takes 200,000 null counts per threshold (more than a call takes as arguments) in its stride', async () => {
    const many = Array.from({ length: 200_000 }, (_, i) => 300 + (i % 401));
    const spec = thresholdCountsSpec(results, { thresholdCounts: [many, many, many] });
    const svg = await svgOf('thresholds', spec);
    expect(svg).toContain('units over threshold (symmetric log scale)');
    expect(markLabels(svg, 'rect mark').length + markLabels(svg, 'tick').length).toBeLessThanOrEqual(3 * MAX_NULL_MARKS);
  });

  it('draws a split-half histogram from the per-split r when given, and no figure without split-half results', async () => {
    const rs = Array.from({ length: 100 }, (_, i) => 0.5 + (i % 20) * 0.005);
    const spec = splitHalfSpec(results, { splitHalfR: rs });
    if (spec === null) throw new Error('expected a split-half figure');
    const svg = await svgOf('split', spec);
    const bars = markLabels(svg, 'rect mark');
    expect(bars.reduce((sum, label) => sum + Number(/splits: (\d+)/.exec(label)?.[1] ?? NaN), 0)).toBe(100);
    expect(svg).toContain('chance: median r with signs flipped = 0.00');
    expect(svg).toContain('median r = 0.57');
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

  it("computes Student's t tail and bin probabilities as SciPy does, to 1e-11 relative", () => {
    expect(scipyStudentT.survival.length).toBeGreaterThan(100);
    for (const { t, df, sf } of scipyStudentT.survival) {
      expect(Math.abs(studentTSurvival(t, df) - sf), `sf(${t}, ${df})`).toBeLessThanOrEqual(1e-11 * sf);
    }
    for (const { lo, hi, df, p } of scipyStudentT.intervals) {
      expect(Math.abs(studentTProbability(lo, hi, df) - p), `P(${lo} < T <= ${hi}; ${df})`).toBeLessThanOrEqual(1e-11 * p);
    }
    expect(studentTProbability(1, 1, 24)).toBe(0);
  });

  it('computes the Student t density in agreement with the closed forms for 1 and 2 degrees of freedom', () => {
    for (const x of [-3, -0.5, 0, 1, 4.2]) {
      expect(studentTDensity(x, 1)).toBeCloseTo(1 / (Math.PI * (1 + x * x)), 12);
      expect(studentTDensity(x, 2)).toBeCloseTo(Math.pow(2 + x * x, -1.5), 12);
    }
  });
});
