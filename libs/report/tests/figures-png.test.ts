/**
 * The figures as a reader sees them: each SVG rasterised to PNG with resvg (a renderer that is not
 * vega), then its pixels checked: size, ink, title, and each mark where the data puts it, with no
 * marker hidden behind another. Set MORAL_PLANTAIN_FIGURE_PNGS to a folder to keep the PNGs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createPrng } from '@moral-plantain/formats';
import { pairedTestSync, type PairedTestOptions, type ProbeResults } from '@moral-plantain/stats';
import { renderFigures, renderSvg, resultDistributions, tHistogramSpec, type RenderedFigure, type ResultDistributions } from '../src/index.js';
import { blobs, countColour, darkPixels, inkShare, plotArea, rasterise, svgSize, type Raster } from './figure-png.js';
import { publishedResults } from './fixtures/published-results.js';
import { xmlProblems } from './xml-well-formed.js';

const OBSERVED = '#0072b2';
const NULL_LIGHT = '#a6a6a6';
const NULL_DARK = '#4d4d4d';
const THRESHOLD = '#d55e00';
const UNDEFINED = '#d9d9d9';
/** The observed bars: OBSERVED at opacity 0.85 over white. */
const OBSERVED_BAR = '#268bbe';

const keep = process.env['MORAL_PLANTAIN_FIGURE_PNGS'];

interface Case {
  readonly results: ProbeResults;
  readonly figures: Map<string, { svg: string; png: Raster }>;
}

async function render(name: string, results: ProbeResults, distributions: ResultDistributions): Promise<Case> {
  const rendered = await renderFigures(results, distributions)();
  if (E.isLeft(rendered)) throw new Error(JSON.stringify(rendered.left));
  const figures = new Map(rendered.right.map((f: RenderedFigure) => [path.basename(f.path, '.svg'), { svg: f.svg, png: rasterise(f.svg) }]));
  if (keep) {
    mkdirSync(path.join(keep, name), { recursive: true });
    for (const [figure, { png }] of figures) writeFileSync(path.join(keep, name, `${figure}.png`), png.png);
  }
  return { results, figures };
}

function figure(c: Case, name: string): { svg: string; png: Raster } {
  const found = c.figures.get(name);
  if (!found) throw new Error(`no figure ${name}`);
  return found;
}

/** Deterministic paired data: `units` columns of noise, `effect` added to a's first `strong` units, the last `constant` of zero variance. */
function paired(units: number, options: { strong?: number; effect?: number; constant?: number; seed?: number } = {}): { a: Float64Array; b: Float64Array } {
  const prng = createPrng(options.seed ?? 1);
  const normal = () => Math.sqrt(-2 * Math.log((prng.nextUint32() + 1) / 2 ** 32)) * Math.cos((2 * Math.PI * prng.nextUint32()) / 2 ** 32);
  const a = new Float64Array(25 * units);
  const b = new Float64Array(25 * units);
  for (let i = 0; i < a.length; i++) {
    const u = i % units;
    b[i] = 1 + normal();
    a[i] = u >= units - (options.constant ?? 0) ? b[i]! + 0.5 : b[i]! + normal() + (u < (options.strong ?? 0) ? (options.effect ?? 0) : 0);
  }
  return { a, b };
}

/** The tiny model's layout: 72 units in joint[0..1] of 4 and single[0..3] of 16. */
const tinyGroups = Array.from({ length: 72 }, (_, u) => (u < 8 ? `joint[${u >> 2}]` : `single[${(u - 8) >> 4}]`));

function tested(data: { a: Float64Array; b: Float64Array }, options: PairedTestOptions): { results: ProbeResults; distributions: ResultDistributions } {
  const shape = [25, data.a.length / 25];
  const out = pairedTestSync({ a: { data: data.a, shape }, b: { data: data.b, shape } }, { groups: tinyGroups, workers: 1, ...options });
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return { results: out.right.results, distributions: resultDistributions(out.right.nulls) };
}

/** Null distributions at the published size, deterministic: counts around the published p95 / p99, a normal null t. */
function publishedDistributions(): ResultDistributions {
  const prng = createPrng(5);
  const uniform = () => (prng.nextUint32() + 1) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const around = (centre: number, spread: number) => Array.from({ length: 1000 }, () => Math.max(0, Math.round(centre + spread * normal())));
  return {
    thresholdCounts: [around(380, 50), around(1, 1.5), around(20, 8)],
    splitHalfR: Array.from({ length: 100 }, () => 0.573 + 0.03 * normal()),
    splitHalfNullR: Array.from({ length: 100 }, () => 0.05 * normal()),
    nullT: Array.from({ length: 8 * 16320 }, normal),
    nullTFlips: 8,
    nullMaxT: Array.from({ length: 1000 }, () => 4.4 + 0.3 * Math.abs(normal())),
  };
}

/** x of a count on the symmetric-log axis [0, max] of a plot. */
const symlogX = (plot: { left: number; width: number }, count: number, max: number) => plot.left + (Math.log1p(count) / Math.log1p(max)) * plot.width;

/** Text of the tick labels of the axes of a vega SVG. */
function axisLabels(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/>([^<]*)<\/text>/g)].map((t) => t[1] ?? ''));
}

/** The markers (at least 7 x 7 pixels: not the thin ticks of the null counts) inside the plot. */
function markersInPlot(svg: string, found: ReturnType<typeof blobs>): ReturnType<typeof blobs> {
  const plot = plotArea(svg);
  return found.filter((b) => b.x1 - b.x0 >= 6 && b.y1 - b.y0 >= 6 && b.cx >= plot.left - 8 && b.cx <= plot.left + plot.width + 8 && b.cy >= plot.top && b.cy <= plot.top + plot.height);
}

describe('figures rendered to PNG', async () => {
  const published = await render('published', publishedResults(), publishedDistributions());
  const tiny = tested(paired(72, { strong: 3, effect: 1.2 }), {});
  const tinyCase = await render('tiny', tiny.results, tiny.distributions);
  const quiet = tested(paired(72, { constant: 4, seed: 9 }), { thresholds: [{ stat: 't', value: 6 }, { stat: 't', value: 8 }, { stat: 'd', value: 2 }] });
  const quietCase = await render('no-unit-over-threshold', quiet.results, quiet.distributions);
  const flat = tested(paired(72, { constant: 72 }), { splits: 0 });
  const flatCase = await render('no-defined-t', flat.results, flat.distributions);
  const cases = { published, tiny: tinyCase, 'no unit over threshold': quietCase, 'no defined t': flatCase };

  it.each(Object.entries(cases))('%s: every figure is well-formed, of a sensible size, inked, titled and in readable type', (_, c) => {
    expect([...c.figures.keys()]).toEqual(['abs-t-by-block', 't-histogram', 'threshold-counts', ...(c.results.splitHalf ? ['split-half'] : [])]);
    for (const [name, { svg, png }] of c.figures) {
      expect(xmlProblems(svg), name).toEqual([]);
      const size = svgSize(svg);
      expect([png.width, png.height], name).toEqual([Math.ceil(size.width), Math.ceil(size.height)]);
      expect(png.width, name).toBeGreaterThanOrEqual(600);
      expect(png.width, name).toBeLessThanOrEqual(1000);
      expect(png.height, name).toBeGreaterThanOrEqual(150);
      expect(png.height, name).toBeLessThanOrEqual(900);
      expect(inkShare(png), name).toBeGreaterThan(0.02);
      // The title, in bold near-black type across the top.
      expect(darkPixels(png, { x0: 0, x1: png.width, y0: 0, y1: 26 }), name).toBeGreaterThan(300);
      const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
      expect(Math.min(...sizes), name).toBeGreaterThanOrEqual(11);
    }
  });

  it.each(Object.entries(cases))('%s: count axes have whole-number ticks and say their scale', (_, c) => {
    for (const name of ['t-histogram', 'threshold-counts', 'split-half']) {
      const svg = c.figures.get(name)?.svg;
      if (!svg) continue;
      const labels = axisLabels(svg).filter((l) => !l.startsWith('|') && !/^[−-]?\d*\.\d+$|^[−-]\d/.test(l));
      // Count labels: whole numbers with thousands separators, never 0.5 or 1.5.
      expect(labels.length, name).toBeGreaterThan(1);
      for (const label of labels) expect(label, name).toMatch(/^\d{1,3}(,\d{3})*$/);
    }
    const counts = figure(c, 'threshold-counts').svg;
    const largest = Math.max(...c.results.thresholds.flatMap((th) => [th.observed, th.nullP99]));
    expect(counts.includes('units over threshold (symmetric log scale)')).toBe(largest > 20);
  });

  it('threshold counts: every observed count, p95 and p99 is its own visible marker, where its value puts it', () => {
    const { svg, png } = figure(published, 'threshold-counts');
    const plot = plotArea(svg);
    const diamonds = markersInPlot(svg, blobs(png, OBSERVED, 20));
    const p95 = markersInPlot(svg, blobs(png, NULL_LIGHT, 20));
    expect(diamonds).toHaveLength(3);
    expect(p95).toHaveLength(3);
    // Same size each: none is partly hidden.
    for (const d of diamonds) expect(d.area).toBeGreaterThan(0.8 * Math.max(...diamonds.map((x) => x.area)));
    // The axis runs from 0 to 5,000 on a symmetric log scale (3,221 rounds up to 5,000), every power of ten labelled.
    expect(axisLabels(svg)).toEqual(expect.arrayContaining(['0', '1', '10', '100', '1,000', '5,000']));
    const observed = publishedResults().thresholds.map((th) => th.observed);
    diamonds.forEach((d, i) => expect(Math.abs(d.cx - symlogX(plot, observed[i]!, 5000))).toBeLessThan(2));
    const nullP95 = publishedResults().thresholds.map((th) => th.nullP95);
    p95.forEach((d, i) => expect(Math.abs(d.cx - symlogX(plot, nullP95[i]!, 5000))).toBeLessThan(2));
    // Each threshold's null counts, one grey tick per count seen, in a lane of their own.
    expect(svg.match(/aria-roledescription="tick"/g)?.length).toBeGreaterThan(20);
  });

  it('threshold counts: all at 0 with null p99 = 0, the markers still stand apart and the axis stays linear and whole', () => {
    expect(quiet.results.thresholds.every((th) => th.observed === 0 && th.nullP99 === 0)).toBe(true);
    const { svg, png } = figure(quietCase, 'threshold-counts');
    const plot = plotArea(svg);
    const diamonds = markersInPlot(svg, blobs(png, OBSERVED, 20));
    const p95 = markersInPlot(svg, blobs(png, NULL_LIGHT, 20));
    const p99 = markersInPlot(svg, blobs(png, NULL_DARK, 20));
    expect(diamonds).toHaveLength(3);
    expect(p95).toHaveLength(3);
    expect(p99).toHaveLength(3);
    for (const marker of [...diamonds, ...p95, ...p99]) expect(Math.abs(marker.cx - plot.left)).toBeLessThan(2);
    // Stacked in lanes: no two markers' boxes meet.
    const all = [...diamonds, ...p95, ...p99].sort((a, b) => a.y0 - b.y0);
    for (let i = 1; i < all.length; i++) expect(all[i]!.y0).toBeGreaterThan(all[i - 1]!.y1);
    expect(axisLabels(svg).filter((l) => !l.startsWith('|'))).toEqual(['0', '1']);
    expect(svg).toContain('>units over threshold<');
  });

  it('t histogram: says which null it draws, bars as tall as their counts on the labelled symmetric-log axis', () => {
    const { svg, png } = figure(published, 't-histogram');
    expect(svg).toContain('Per-unit t: observed and under the sign-flip permutation null');
    expect(svg).toContain('sign-flip permutation null');
    expect(svg).not.toContain("Student's t");
    expect(svg).toContain('(symmetric log scale)');
    expect(axisLabels(svg)).toEqual(expect.arrayContaining(['0', '1', '10', '100', '1,000']));
    const plot = plotArea(svg);
    // The bin [0, 0.25): its count, and the height of its bar in the picture.
    const t = publishedResults().units.t.filter((x): x is number => x !== null);
    const count = t.filter((x) => x >= 0 && x < 0.25).length;
    const maxT = Math.max(...t.map(Math.abs));
    const half = Math.ceil(maxT / 0.25) + 1;
    const column = Math.round(plot.left + ((half + 0.5) / (2 * half)) * plot.width);
    let top = -1;
    for (let y = Math.round(plot.top); y < plot.top + plot.height && top < 0; y++) if (countColour(png, OBSERVED_BAR, 14, { x0: column, x1: column + 1, y0: y, y1: y + 1 }) === 1) top = y;
    const axisMax = Number(axisLabels(svg).filter((l) => /^[\d,]+$/.test(l)).at(-1)?.replace(/,/g, ''));
    const expectedTop = plot.top + plot.height * (1 - Math.log1p(count) / Math.log1p(axisMax));
    expect(Math.abs(top - expectedTop)).toBeLessThan(3);
    // The null's step outline and the dashed threshold rules are drawn.
    expect(countColour(png, NULL_DARK, 10, { x0: plot.left, x1: plot.left + plot.width, y0: plot.top, y1: plot.top + plot.height })).toBeGreaterThan(300);
    for (const at of [-5, -3, 3, 5]) {
      const x = Math.round(plot.left + ((at + half * 0.25) / (2 * half * 0.25)) * plot.width);
      expect(countColour(png, THRESHOLD, 20, { x0: x - 2, x1: x + 2, y0: plot.top, y1: plot.top + plot.height }), `rule at ${at}`).toBeGreaterThan(40);
    }
  });

  it("t histogram: without a permutation null it is titled as Student's t, a reference, and says so", async () => {
    const rendered = await renderSvg('t-histogram', tHistogramSpec(publishedResults()))();
    if (E.isLeft(rendered)) throw new Error(JSON.stringify(rendered.left));
    const svg = rendered.right;
    const png = rasterise(svg);
    expect(svg).toContain("Per-unit t: observed and Student's t (df = 24) for reference");
    expect(svg).toContain('no permutation null was given');
    expect(svg).not.toContain('sign-flip permutation null');
    expect(countColour(png, NULL_DARK, 10)).toBeGreaterThan(300);
  });

  it('t histogram and heatmap: with no defined t they say so and draw no bars, the heatmap all grey', () => {
    const hist = figure(flatCase, 't-histogram');
    expect(hist.svg).toContain('no unit has a defined t');
    expect(countColour(hist.png, OBSERVED_BAR, 14)).toBeLessThan(200);
    const heat = figure(flatCase, 'abs-t-by-block');
    const plot = plotArea(heat.svg);
    expect(countColour(heat.png, UNDEFINED, 4, { x0: plot.left, x1: plot.left + plot.width, y0: plot.top, y1: plot.top + plot.height })).toBeGreaterThan(0.5 * plot.width * plot.height);
    expect(heat.svg).toContain('Grey: no defined t (zero variance).');
  });

  it('heatmap: one 16-pixel row per block, the largest |t| brightest in its block', () => {
    const { svg, png } = figure(published, 'abs-t-by-block');
    const plot = plotArea(svg);
    expect(plot.height).toBe(25 * 16);
    // viridis' top colour marks max |t| (10.05, in single[19], the last row).
    const brightest = blobs(png, '#fde725', 1, 24);
    expect(brightest.length).toBeGreaterThan(0);
    const inPlot = brightest.filter((b) => b.cx > plot.left && b.cx < plot.left + plot.width);
    expect(inPlot.length).toBeGreaterThan(0);
    for (const b of inPlot) expect(b.cy).toBeGreaterThan(plot.top + 24 * 16 - 1);
    const tinyHeat = figure(tinyCase, 'abs-t-by-block');
    expect(plotArea(tinyHeat.svg).height).toBe(6 * 16);
    // 4 zero-variance units in the last block of the quiet data: four grey cells.
    const quietHeat = figure(quietCase, 'abs-t-by-block');
    const quietPlot = plotArea(quietHeat.svg);
    expect(countColour(quietHeat.png, UNDEFINED, 4, { x0: quietPlot.left, x1: quietPlot.left + quietPlot.width, y0: quietPlot.top, y1: quietPlot.top + quietPlot.height })).toBeGreaterThan(4 * 16 * 30);
  });

  it('split-half: median and chance as rules where their values are, the null r as an outline', () => {
    const { svg, png } = figure(published, 'split-half');
    const plot = plotArea(svg);
    const sh = publishedResults().splitHalf!;
    const medianX = plot.left + ((sh.median! + 1) / 2) * plot.width;
    expect(countColour(png, THRESHOLD, 20, { x0: Math.round(medianX) - 2, x1: Math.round(medianX) + 3, y0: plot.top, y1: plot.top + plot.height })).toBeGreaterThan(0.8 * plot.height);
    const chanceX = plot.left + ((sh.nullMedian! + 1) / 2) * plot.width;
    const dashes = countColour(png, NULL_DARK, 20, { x0: Math.round(chanceX) - 2, x1: Math.round(chanceX) + 3, y0: plot.top, y1: plot.top + plot.height });
    // Dashed: about half the height inked.
    expect(dashes).toBeGreaterThan(0.3 * plot.height);
    expect(svg).toContain('median r = 0.57');
    expect(svg).toContain('r with signs flipped (chance)');
    expect(countColour(png, OBSERVED_BAR, 14)).toBeGreaterThan(200);
  });
});
