import * as E from 'fp-ts/lib/Either.js';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { doseResponseSpec, parsePatchResults, PATCH_CSV_COLUMNS, renderCausalTest, renderDoseResponse, renderModelCard, renderPatchCsv, renderSvg } from '../src/index.js';
import { patchResults } from './fixtures/patch-results.js';
import { pretrainedProvenance, tinyProvenance } from './fixtures/provenance.js';
import { publishedResults } from './fixtures/published-results.js';
import { xmlProblems } from './xml-well-formed.js';

const causalTest = { results: patchResults(), figure: { path: 'figures/patch-dose-response.svg', title: 'Dose-response' }, csvPath: 'patch-effects.csv', jsonPath: 'patch.json' };

function sectionOf(card: string, name: string): string {
  const start = card.indexOf(`\n## ${name}\n`);
  const next = card.indexOf('\n## ', start + 1);
  return card.slice(start, next === -1 ? undefined : next);
}

describe('the Causal test section of the card', () => {
  const card = renderModelCard({ results: publishedResults(), provenance: pretrainedProvenance(), causalTest });
  const section = sectionOf(card, 'Causal test');

  it('comes after Interpretation and before Limitations, and the limitation points to it', () => {
    const headings = [...card.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.indexOf('Causal test')).toBe(headings.indexOf('Interpretation') + 1);
    expect(headings.indexOf('Limitations')).toBe(headings.indexOf('Causal test') + 1);
    expect(sectionOf(card, 'Limitations')).toContain('The Causal test section reports what scaling them did');
    expect(renderModelCard({ results: publishedResults(), provenance: pretrainedProvenance() })).not.toContain('Causal test');
  });

  it('has one table row per set and mode with the numbers of the results', () => {
    const table = marked.lexer(section).find((t) => t.type === 'table') as { rows: { text: string }[][] } | undefined;
    expect(table?.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ['top 10 by |t|', 'RMS matched', '0.123 (0.133 / 0.113)', '0.010 [-0.020, 0.040]', '0.005', '23 of 25', '< 0.001', '0.600 (0.100)'],
      ['top 10 by |t|', 'zero-ablated', '0.020 (0.030 / 0.010)', '0.000 [-0.030, 0.030]', '0.3', '14 of 25', '0.4', '0.600 (0.100)'],
      ['top 100 by |t|', 'RMS matched', '0.050 (0.060 / 0.040)', '0.040 [0.010, 0.070]', '0.41', '13 of 25', '0.3', '0.600 (0.100)'],
    ]);
  });

  it('states the formula, the null and what the test does and does not show', () => {
    expect(section).toContain('`<P - A, B - A> / |B - A|^2`');
    expect(section).toContain('200 random unit sets of the same size, each drawing as many units from each block');
    expect(section).toContain('the input of each block\'s attention output projection');
    expect(section).toContain('All selected units of a set are scaled together, in one forward pass');
    expect(section).toContain('- top 10 by \\|t\\|, RMS matched: reproduced 12.3% of the change on average (random sets: median 1.0%), more than random units from the same blocks (p = 0.005 over 200 sets; above them on 23 of 25 pairs, p < 0.001).');
    expect(section).toContain('- top 100 by \\|t\\|, RMS matched: reproduced 5.0% of the change on average (random sets: median 4.0%); not shown to exceed random units');
    expect(section).toContain('- In all, 1 of 3 patched sets beat the random-set null on both tests at the 0.05 level.');
    const notShown = section.slice(section.indexOf('**What this does not show.**'));
    for (const claim of ['or any concept', 'Anything about images', 'no held-out pairs', 'Anything about single units', 'carry no information', 'median deviation 1.2%, largest 20.0%', 'mean |ln factor| 0.310 against 0.050'.replace(/\|/g, '|'), 'without correction']) {
      expect(notShown).toContain(claim);
    }
    expect(notShown).not.toContain('trained model');
  });

  it('links the figure, the CSV and patch.json', () => {
    expect(section).toContain('![Dose-response](figures/patch-dose-response.svg)');
    expect(section).toContain('[patch-effects.csv](patch-effects.csv)');
    expect(section).toContain('[patch.json](patch.json)');
  });

  it('says plainly when the model is the tiny one', () => {
    const tiny = renderCausalTest(causalTest, tinyProvenance()).join('\n');
    expect(tiny).toContain('- **Anything about a trained model**: the model is the tiny seeded-random one');
  });
});

describe('patch files', () => {
  it('parses what it renders, and names what is wrong with a bad patch.json', () => {
    const patch = patchResults(4);
    const parsed = parsePatchResults(JSON.parse(JSON.stringify({ ...patch, run: { extra: true } })));
    expect(parsed).toEqual(E.right(patch));
    const broken = parsePatchResults({ ...patch, format: 'x', pairs: ['a'], effects: [{ ...patch.effects[0], k: 3 }] });
    expect(E.isLeft(broken) && broken.left._tag === 'InvalidResults' ? broken.left.problems : []).toEqual([
      'patch results: format must be "moral-plantain/patch@1" (got "x")',
    ]);
    const inconsistent = parsePatchResults({ ...patch, pairs: ['a'], effects: [{ ...patch.effects[0], k: 3 }] });
    expect(E.isLeft(inconsistent) && inconsistent.left._tag === 'InvalidResults' ? inconsistent.left.problems : []).toEqual([
      'patch results: pairs has 1 ids but nPairs is 4',
      'patch results: effects[0].units has 10 units but k is 3',
    ]);
  });

  it('writes one CSV row per set, mode, pair and direction', () => {
    const patch = patchResults(3);
    const lines = renderPatchCsv(patch).split('\r\n');
    expect(lines[0]).toBe(PATCH_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 3 * 3 * 2 + 1);
    expect(lines[1]).toBe('10,match,,pair-1,a-to-b,0.123,0.01,0.6,0.1,10');
    expect(lines[4]).toBe('10,match,,pair-2,b-to-a,0.113,0.01,0.59,0.1,11');
    expect(lines[7]).toBe('10,zero,0,pair-1,a-to-b,0.02,0,0.6,0.1,10');
  });

  it('draws the dose-response figure as well-formed SVG with one panel per mode', async () => {
    const svg = await renderDoseResponse(patchResults())();
    if (E.isLeft(svg)) throw new Error(JSON.stringify(svg.left));
    expect(xmlProblems(svg.right)).toEqual([]);
    expect(svg.right).toContain('RMS matched');
    expect(svg.right).toContain('zero-ablated');
    expect(svg.right).toContain('random sets (5th-95th pct)');
    const single = await renderSvg('one mode', doseResponseSpec({ ...patchResults(), effects: patchResults().effects.filter((e) => e.mode === 'match') }))();
    expect(E.isRight(single) && xmlProblems(single.right)).toEqual([]);
  });
});
