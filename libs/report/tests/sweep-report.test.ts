import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { ProbeResults } from '@moral-plantain/stats';
import { renderFigures, renderSvg, renderSweepReport, sweepAxesSpec, sweepRows, writeSweepReport, type SweepCell } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';
import { xmlProblems } from './xml-well-formed.js';

const base = publishedResults();

/** Results with chosen |t| > 3 and |t| > 5 counts, null p99s and split-half median (the rest as published). */
function results(t3: number, p3: number, t5: number, p5: number, r: number): ProbeResults {
  const n = base.nUnits;
  const threshold = (value: number, observed: number, p99: number) => ({ stat: 't' as const, value, observed, fraction: observed / n, nullP95: p99, nullP99: p99, ratioToNullP99: p99 === 0 ? null : observed / p99, p: 0.001 });
  return { ...base, thresholds: [threshold(3, t3, p3), threshold(5, t5, p5), base.thresholds[2]!], splitHalf: { ...base.splitHalf!, median: r } };
}

function cell(stimuli: string, model: string, seed: number, r: ProbeResults, control = false): SweepCell {
  return {
    id: `${model}--${stimuli}--seed-${seed}--default`,
    stimuli,
    axis: stimuli.replace(/-/g, ' '),
    conditions: { a: 'a-side', b: 'b-side' },
    model,
    modelKind: control ? 'random-init-control' : 'pretrained',
    controlFor: control ? 'klein' : null,
    seed,
    units: 'default',
    results: r,
    report: `cells/${model}--${stimuli}--seed-${seed}--default/README.md`,
  };
}

// Two axes, the model and its random-init control, two seeds; the control listed first in the cells.
const cells: SweepCell[] = [
  cell('perspective-taking', 'klein-random', 0, results(163, 200, 0, 2, 0.02), true),
  cell('perspective-taking', 'klein', 0, results(12_000, 1_000, 3_000, 10, 0.61)),
  cell('perspective-taking', 'klein', 1, results(12_240, 1_200, 3_264, 12, 0.65)),
  cell('perspective-taking', 'klein-random', 1, results(326, 200, 0, 0, 0.04), true),
  cell('self-reference', 'klein', 0, results(2_121, 800, 16, 4, 0.3)),
  cell('self-reference', 'klein', 1, results(2_121, 800, 16, 4, 0.3)),
];

describe('the sweep report', () => {
  it('summarises each axis and model over its seeds, the control right after its model', () => {
    const rows = sweepRows(cells);
    expect(rows.map((r) => [r.stimuli, r.model, r.seeds])).toEqual([
      ['perspective-taking', 'klein', [0, 1]],
      ['perspective-taking', 'klein-random', [0, 1]],
      ['self-reference', 'klein', [0, 1]],
    ]);
    const [klein, control] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(klein.measures.t3.mean).toBeCloseTo((12_000 + 12_240) / 2 / 16_320, 12);
    expect(klein.measures.t3.min).toBeCloseTo(12_000 / 16_320, 12);
    expect(klein.measures.t3Ratio.mean).toBeCloseTo((12 + 10.2) / 2, 12);
    expect(klein.measures.splitHalf).toEqual({ mean: 0.63, min: 0.61, max: 0.65 });
    // A null p99 of 0 has no ratio: the mean is over the seeds that have one.
    expect(control.measures.t5Ratio).toEqual({ mean: 0, min: 0, max: 0 });
    expect(control.measures.t3NullShare.mean).toBeCloseTo(200 / 16_320, 12);
  });

  it('renders the Thesis and Results with the cells\' numbers', () => {
    const readme = renderSweepReport({ name: 'axes', cells, contrasts: { 'perspective-taking': 'Whose eyes the view is from.' } }, { figure: 'figures/sweep-axes.svg', csv: 'sweep-cells.csv' });
    expect(readme).toContain('# Sweep axes');
    expect(readme).toContain('6 cells: 2 stimulus sets x 2 models x 2 seeds x 1 unit definition.');
    expect(readme).toContain('- **perspective taking** (a-side vs b-side), klein: 74.3% [73.5%, 75.0%] of units at |t| > 3, 11x [10x, 12x] the null p99; its random-init control klein-random: 1.5% [1.0%, 2.0%] (1.2x [0.8x, 1.6x]).');
    expect(readme).toContain('| perspective taking | klein-random (random-init control of klein) | 1.5% [1.0%, 2.0%] | 1.2x [0.8x, 1.6x] | 0.0% | 0.0x | 0.030 [0.020, 0.040] | 0, 1 |');
    expect(readme).toContain('| self reference | klein | 13.0% | 2.7x | 0.1% | 4.0x | 0.300 | 0, 1 |');
    expect(readme).toContain('| perspective taking | `perspective-taking` | a-side | b-side | 25 | Whose eyes the view is from. |');
    expect(readme).toContain('| `klein--self-reference--seed-1--default` | self reference | klein | 1 | 13.0% | 2.7x | 0.1% | 4.0x | 0.300 | [README](cells/klein--self-reference--seed-1--default/README.md) |');
    expect(readme).toContain('![Share of units over \\|t\\| > 3 and \\|t\\| > 5 per axis and model, with the null p99](figures/sweep-axes.svg)');
    expect(readme).not.toContain('Pipeline check');
  });

  it('draws the figure as well-formed SVG, and writes README, CSV, JSON and figure', async () => {
    const svg = await renderSvg('sweep', sweepAxesSpec(cells))();
    if (E.isLeft(svg)) throw new Error(JSON.stringify(svg.left));
    expect(xmlProblems(svg.right)).toEqual([]);
    for (const label of ['>perspective<', '>taking<', '>self<', '>reference<', 'klein-random (control)', '|t| &gt; 5']) expect(svg.right).toContain(label);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sweep-report-'));
    const written = await writeSweepReport(dir, { name: 'axes', cells })();
    expect(E.isRight(written)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'figures', 'sweep-cells.csv', 'sweep-results.json']);
    const csv = (await readFile(path.join(dir, 'sweep-cells.csv'), 'utf8')).split('\r\n');
    expect(csv[0]).toBe('cell,stimuli,axis,model,model_kind,control_for,seed,units,pairs,unit_count,t3_share,t3_ratio_to_null_p99,t5_share,t5_ratio_to_null_p99,split_half_r');
    expect(csv[1]).toBe(`klein-random--perspective-taking--seed-0--default,perspective-taking,perspective taking,klein-random,random-init-control,klein,0,default,25,16320,${163 / 16_320},0.815,0,0,0.02`);
    const json = JSON.parse(await readFile(path.join(dir, 'sweep-results.json'), 'utf8'));
    expect(json.format).toBe('moral-plantain/sweep-results@1');
    expect(json.rows).toHaveLength(3);
  });

  it('draws a figure the same byte for byte whatever was drawn before it in the process', async () => {
    const first = await renderFigures(base)();
    const second = await renderFigures(base)();
    if (E.isLeft(first) || E.isLeft(second)) throw new Error('figures failed');
    expect(second.right.map((f) => f.svg)).toEqual(first.right.map((f) => f.svg));
  });
});
