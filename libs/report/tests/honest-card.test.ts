import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isHubRepoId } from '@moral-plantain/formats';
import { pairedTestSync, type ProbeResults } from '@moral-plantain/stats';
import { checkCardOverrides, describeReportError, judge, renderModelCard, writeReport, type ModelCardOptions, type RunProvenance } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';
import { controlProvenance, pretrainedProvenance, tinyProvenance } from './fixtures/provenance.js';

/** The card's front matter parsed as YAML, and its Markdown body. */
function splitCard(card: string): { meta: Record<string, unknown>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(card);
  if (!match) throw new Error('no front matter');
  return { meta: parseYaml(match[1] ?? '') as Record<string, unknown>, body: match[2] ?? '' };
}

function section(body: string, name: string): string {
  const start = body.indexOf(`\n## ${name}\n`);
  const next = body.indexOf('\n## ', start + 1);
  return body.slice(start, next === -1 ? undefined : next);
}

function title(body: string): string {
  return marked.lexer(body).find((t): t is Tokens.Heading => t.type === 'heading' && t.depth === 1)?.text ?? '';
}

/**
 * The Hugging Face model-card metadata rules a card must keep (hub-docs modelcard.md and
 * model-cards.md): only keys of the spec, `language` a list of ISO 639-1 codes, `license` an id,
 * `base_model` a Hub repo id, `tags` a list of strings, `pipeline_tag` a Hub task.
 */
function expectHubMetadata(meta: Record<string, unknown>): void {
  const keys = ['language', 'license', 'base_model', 'library_name', 'tags', 'pipeline_tag'];
  for (const key of Object.keys(meta)) expect(keys, key).toContain(key);
  if ('language' in meta) expect(meta.language).toEqual(expect.arrayContaining([expect.stringMatching(/^[a-z]{2}$/)]));
  expect(meta.license).toBe('apache-2.0');
  if ('base_model' in meta) expect(isHubRepoId(meta.base_model as string)).toBe(true);
  expect(Array.isArray(meta.tags) && (meta.tags as unknown[]).every((t) => typeof t === 'string')).toBe(true);
  expect(new Set(meta.tags as string[]).size).toBe((meta.tags as string[]).length);
  if ('pipeline_tag' in meta) expect(meta.pipeline_tag).toBe('text-to-image');
}

const results = publishedResults();

describe('an honest card: front matter and title from what is known', () => {
  it('(a) the tiny embedded run: a pipeline check, FLUX.2 architecture, no base model (even one an old run.json names)', () => {
    const { meta, body } = splitCard(renderModelCard({ results, provenance: tinyProvenance() }));
    expectHubMetadata(meta);
    expect(meta).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'moral-plantain', 'pipeline-check', 'random-weights'],
      pipeline_tag: 'text-to-image',
    });
    expect(title(body)).toBe('moral-plantain probe: tiny FLUX.2-architecture model (seeded random weights)');
    expect(body).not.toMatch(/black-forest-labs|klein|huggingface\.co|per-head/);
    expect(section(body, 'Method')).toContain('- **Model**: tiny FLUX.2-architecture model (seeded random weights), weight seed 0.');
    expect(section(body, 'Thesis')).toContain('Random weights cannot answer that question');
    expect(section(body, 'Limitations')).toContain('a 16-channel slice is as wide as one head, and lines up with the heads only in the attention channels');
  });

  it('(b) a model built from a checkpoint with its Hub repo id: base_model, the link, the model line', () => {
    const { meta, body } = splitCard(renderModelCard({ results, provenance: pretrainedProvenance() }));
    expectHubMetadata(meta);
    expect(meta).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      base_model: 'black-forest-labs/FLUX.2-klein-base-4B',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'moral-plantain'],
      pipeline_tag: 'text-to-image',
    });
    expect(title(body)).toBe('moral-plantain probe: FLUX.2 [klein] 4B');
    expect(section(body, 'Method')).toContain('- **Model**: FLUX.2 [klein] 4B (pretrained weights), from the checkpoint `black-forest-labs/FLUX.2-klein-base-4B`.');
    expect(section(body, 'References')).toContain('1. Model card of the base model: <https://huggingface.co/black-forest-labs/FLUX.2-klein-base-4B>.');
    expect(section(body, 'Limitations')).toContain('a 16-channel slice is 1/8 of a 128-channel head');
    // Pretrained weights whose checkpoint is not recorded: no base_model, and the card says so once.
    const base = pretrainedProvenance();
    const unknown = splitCard(renderModelCard({ results, provenance: { ...base, model: { ...base.model!, baseModel: undefined } } as RunProvenance }));
    expect(unknown.meta).not.toHaveProperty('base_model');
    expect(unknown.body.match(/not recorded/g)).toHaveLength(1);
    expect(section(unknown.body, 'Method')).toContain('; the Hugging Face repository of its checkpoint is not recorded.');
  });

  it('(c) the random-init control: no base model (random weights come from no checkpoint), control tags and wording', () => {
    const stale = controlProvenance();
    const provenance = { ...stale, model: { ...stale.model!, baseModel: 'black-forest-labs/FLUX.2-klein-base-4B' } };
    const { meta, body } = splitCard(renderModelCard({ results, provenance }));
    expectHubMetadata(meta);
    expect(meta).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'moral-plantain', 'random-init-control', 'random-weights'],
      pipeline_tag: 'text-to-image',
    });
    expect(title(body)).toBe('moral-plantain probe: klein-4b, random-init control');
    expect(body).not.toMatch(/black-forest-labs|huggingface\.co/);
    expect(body.split('## Thesis')[0]).toContain('> **Random-init control.**');
    expect(section(body, 'Interpretation')).toContain("supports the reading that the prompts' differences alone separate the two conditions in the untrained network");
    expect(section(body, 'Limitations')).toContain('This run is the lexical control');
  });

  it('(d) results with no run record: a neutral card that claims no model, stimuli, architecture or language', () => {
    const card = renderModelCard({ results });
    const { meta, body } = splitCard(card);
    expectHubMetadata(meta);
    expect(meta).toEqual({ license: 'apache-2.0', library_name: 'moral-plantain', tags: ['interpretability', 'activation-probe'] });
    expect(title(body)).toBe('Paired probe of 16,320 units over 25 pairs');
    expect(body.replace(/moral-plantain toolkit|moral-plantain\/results@1/g, '')).not.toMatch(/FLUX|flux2|klein|moral|valence|ethic|helping|prompt|transformer|attention|head|base model|not recorded/i);
    // What is not known is said once, plainly.
    expect(body.match(/run\.json/g)).toHaveLength(1);
    expect(section(body, 'Method').split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- **Data**: 16,320 units in 25 groups measured under condition a and condition b in each of 25 pairs.',
      expect.stringMatching(/^- \*\*Statistics\*\*: per unit, paired t and Cohen's d_z of the \(a - b\) values over 25 pairs;/),
    ]);
    expect(section(body, 'Interpretation')).toContain('supports the reading that these units carry the contrast between the two conditions');
  });

  it('(e) the flags win: title, model name, base model and tags, with or without a run record', () => {
    const options: ModelCardOptions = { title: 'Valence probe of my export', modelName: 'klein 4B (int8 export)', baseModel: 'acme/flux2-klein-int8', extraTags: ['my-lab', 'flux2'] };
    const recorded = splitCard(renderModelCard({ results, provenance: pretrainedProvenance() }, options));
    expectHubMetadata(recorded.meta);
    expect(recorded.meta.base_model).toBe('acme/flux2-klein-int8');
    expect(recorded.meta.tags).toEqual(['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'moral-plantain', 'my-lab']);
    expect(title(recorded.body)).toBe('Valence probe of my export');
    expect(section(recorded.body, 'Method')).toContain('- **Model**: klein 4B (int8 export), pretrained weights, FLUX.2 architecture, from the checkpoint `acme/flux2-klein-int8`.');
    expect(section(recorded.body, 'References')).toContain('<https://huggingface.co/acme/flux2-klein-int8>');
    const bare = splitCard(renderModelCard({ results }, { modelName: 'SDXL base 1.0', baseModel: 'stabilityai/stable-diffusion-xl-base-1.0', extraTags: ['sdxl'] }));
    expectHubMetadata(bare.meta);
    expect(bare.meta).toEqual({
      license: 'apache-2.0',
      base_model: 'stabilityai/stable-diffusion-xl-base-1.0',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'sdxl'],
    });
    expect(title(bare.body)).toBe('Paired probe: SDXL base 1.0');
    expect(bare.body.split('## Thesis')[0]).toContain('this card does not know which stimuli and protocol produced them');
    expect(section(bare.body, 'Method')).toContain('- **Model**: SDXL base 1.0, from the checkpoint `stabilityai/stable-diffusion-xl-base-1.0`.');
  });

  it('(e) refuses overrides that would make the card untrue or malformed, all at once, before writing anything', async () => {
    const bad = { title: 'two\nlines', modelName: ' ', baseModel: 'FLUX.2-klein', extraTags: ['my lab', 'ok'] };
    const checked = checkCardOverrides(bad, undefined);
    expect(E.isLeft(checked) && checked.left._tag === 'InvalidCardOptions' && checked.left.problems).toEqual([
      'the title must be one line of text (it has a line break or control character)',
      'the model name is empty',
      expect.stringMatching(/^the base model "FLUX\.2-klein" is not a Hugging Face repo id, org\/name/),
      'the tag "my lab" must be one word without spaces or commas (e.g. my-lab)',
    ]);
    for (const provenance of [tinyProvenance(), controlProvenance()]) {
      const refused = checkCardOverrides({ baseModel: 'black-forest-labs/FLUX.2-klein-base-4B' }, provenance);
      expect(E.isLeft(refused) && describeReportError(refused.left).message).toMatch(/^A card option is invalid: the run record says the model has .*seeded random weights.*, which come from no checkpoint, so its card has no base model\.$/);
    }
    expect(E.isRight(checkCardOverrides({ baseModel: 'acme/x' }, pretrainedProvenance()))).toBe(true);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'card-'));
    try {
      const written = await writeReport(path.join(dir, 'out'), { results, provenance: tinyProvenance() }, { baseModel: 'black-forest-labs/FLUX.2-klein-base-4B' })();
      expect(E.isLeft(written) && written.left._tag).toBe('InvalidCardOptions');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an honest card on degenerate data', () => {
  const n = 25;
  const m = 40;
  const groups = Array.from({ length: m }, (_, u) => (u < 20 ? 'joint[0]' : 'single[0]'));

  /** Real statistics: float32 values saved as float64; units listed in `constant` have b = a - 0.3 exactly (to float32), the rest noise, units 4-11 shifted. */
  function degenerate(constant: (u: number) => boolean, shift = true): ProbeResults {
    let state = 12345;
    const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const x = Float32Array.from({ length: n * m }, () => 0.5 + next());
    const a = Float64Array.from(x);
    const b = Float64Array.from(x, (v, i) => (constant(i % m) ? Math.fround(v - 0.3) : v + 0.3 * (next() - 0.5) + (shift && i % m >= 4 && i % m < 12 ? 0.2 : 0)));
    const out = pairedTestSync({ a: { data: a, shape: [n, m] }, b: { data: b, shape: [n, m] } }, { permutations: 500, splits: 20, seed: 2, groups });
    if (E.isLeft(out)) throw new Error('statistics failed');
    return out.right.results;
  }

  it('(f) names near-constant units in the banner, Results, Top blocks, Interpretation and Limitations, and reports the other units\' max |t|', () => {
    const some = degenerate((u) => u < 4);
    expect(some.nearConstant?.units).toEqual([0, 1, 2, 3]);
    const largest = Math.max(...[0, 1, 2, 3].map((u) => Math.abs(some.units.t[u]!)));
    expect(largest).toBeGreaterThan(1e6);
    const other = Math.max(...some.units.t.slice(4).map((t) => Math.abs(t!)));
    const { body } = splitCard(renderModelCard({ results: some, provenance: pretrainedProvenance() }));
    const shown = largest.toExponential(1).replace('e+', 'e');
    expect(body.split('## Thesis')[0]).toContain(`> **Degenerate units.** 4 of 40 units are near-constant: the same difference in every pair to within rounding. Their |t|, up to ${shown}, measures rounding, not an effect`);
    const table = marked.lexer(section(body, 'Results')).find((t): t is Tokens.Table => t.type === 'table');
    const rows = table?.rows.map((row) => row.map((cell) => cell.text)) ?? [];
    expect(rows).toContainEqual(['near-constant units (t and d measure rounding)', '4 (10.0%)', '-']);
    expect(rows).toContainEqual(['max |t| of the other units', other.toFixed(2), '-']);
    expect(rows.flat().join(' ')).not.toMatch(/\d{6}/);
    expect(section(body, 'Top blocks')).toMatch(/near-constant units \|\n\|---:\|---\|---:\|---:\|---:\|---:\|\n\| 1 \| joint\[0\] \| [\d.e]+ \| \d+\/20 \| [\d.e,]+ \| 4 \|\n\| 2 \| single\[0\] \| [\d.]+ \| \d+\/20 \| [\d.]+ \| 0 \|/);
    const interpretation = section(body, 'Interpretation');
    expect(interpretation).toContain('**4 units are near-constant**: their differences vary across pairs by no more than 1,024 roundoffs of the values\' float64 precision, or by no more than 1/16,384 of their mean');
    expect(interpretation).toContain(`The largest |t| among the other units is ${other.toFixed(2)}`);
    expect(interpretation).not.toContain('The strongest block is');
    expect(section(body, 'Limitations')).toContain('- Degenerate units: 4 near-constant units are counted in the threshold counts');
    // The shifted units still beat the null without the near-constant ones: the claim stands, and says it.
    expect(judge(some, pretrainedProvenance()).axisSupported).toBe(true);
  });

  it('(f) claims nothing when a count beats its null only with its near-constant units', () => {
    const carried = degenerate((u) => u < 4, false);
    const verdict = judge(carried, pretrainedProvenance());
    expect(verdict.axisSupported).toBe(false);
    expect(verdict.carriedByNearConstant.map((th) => `${th.stat}${th.value}`)).toContain('t5');
    const interpretation = section(splitCard(renderModelCard({ results: carried, provenance: pretrainedProvenance() })).body, 'Interpretation');
    expect(interpretation).toMatch(/^\n## Interpretation\n\nAbove the null p99 only with the near-constant units counted, so no support: .*\|t\| > 5: 4 units against a null p99 of 0, permutation p = [\d.]+\. These results do not support a separable axis\.\n/);
    expect(interpretation).toContain('4 of the 4 with |t| > 5');
    expect(interpretation).toContain('These results do not support a separable axis.');
    expect(interpretation).not.toContain('supports the reading');
  });

  it('(f) says the data are degenerate when every unit is near-constant or has zero variance, and claims nothing', () => {
    const all = degenerate(() => true);
    expect(all.nearConstant?.units).toHaveLength(m);
    const { body } = splitCard(renderModelCard({ results: all }));
    expect(body.split('## Thesis')[0]).toContain("> **Degenerate data.** No unit's differences vary from pair to pair beyond rounding (all 40 units near-constant)");
    const interpretation = section(body, 'Interpretation');
    expect(interpretation).toMatch(/^\n## Interpretation\n\n\*\*The data are degenerate: no unit's differences vary from pair to pair beyond rounding\.\*\* All 40 units are near-constant/);
    expect(interpretation).toContain('no axis is claimed');
    expect(interpretation).not.toMatch(/supports the reading|More units exceed|survive family-wise/);
    // Identical conditions: every unit has zero variance.
    const x = Float64Array.from({ length: n * m }, (_, i) => Math.sin(i));
    const same = pairedTestSync({ a: { data: x, shape: [n, m] }, b: { data: x, shape: [n, m] } }, { permutations: 100, splits: 0, groups });
    if (E.isLeft(same)) throw new Error('statistics failed');
    const zero = splitCard(renderModelCard({ results: same.right.results })).body;
    expect(zero.split('## Thesis')[0]).toContain('> **Degenerate data.** Every unit has the same difference in every pair (zero variance): there is nothing to test');
    expect(section(zero, 'Interpretation')).toContain('All 40 units have zero variance (the same difference in every pair): they have no t or d, so there is nothing to test.');
    expect(section(zero, 'Results')).toContain('| zero-variance units (no t or d) | 40 (100.0%) | - |');
  });

  it('(f) finds near-constant units by |d_z| in results written before the field existed', () => {
    const some = degenerate((u) => u < 4);
    const { nearConstant: _omitted, ...older } = some;
    const body = splitCard(renderModelCard({ results: older })).body;
    expect(section(body, 'Interpretation')).toContain('**4 units are near-constant**: their differences vary across pairs by no more than 1/16,384 of their mean (|d_z| of 16,384 or more; these results predate');
  });

  it('leaves the published result without degenerate rows or notes', () => {
    const { body } = splitCard(renderModelCard({ results, provenance: pretrainedProvenance() }));
    expect(body).not.toMatch(/near-constant|degenerate|zero-variance/i);
  });
});
