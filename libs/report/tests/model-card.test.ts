import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ProbeResults } from '@moral-plantain/stats';
import { judge, renderInterpretation, renderModelCard, type RunProvenance } from '../src/index.js';
import { PUBLISHED_TABLE, PUBLISHED_TOP_BLOCKS, publishedResults } from './fixtures/published-results.js';
import { NASTY, pretrainedProvenance, tinyProvenance } from './fixtures/provenance.js';

const SECTIONS = ['Thesis', 'Method', 'Results', 'Top blocks', 'Interpretation', 'Limitations', 'Reproducibility', 'License', 'References'];

function splitCard(card: string): { meta: unknown; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(card);
  if (!match) throw new Error('no front matter');
  return { meta: parseYaml(match[1] ?? ''), body: match[2] ?? '' };
}

function walk(tokens: readonly Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    const nested = (token as { tokens?: Token[] }).tokens;
    if (nested) walk(nested, visit);
    if (token.type === 'list') walk((token as Tokens.List).items, visit);
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens, visit);
    }
  }
}

function section(body: string, name: string): string {
  const start = body.indexOf(`\n## ${name}\n`);
  const next = body.indexOf('\n## ', start + 1);
  return body.slice(start, next === -1 ? undefined : next);
}

describe('model card', () => {
  const results = publishedResults();

  it('opens with YAML front matter a Hugging Face model card needs', () => {
    const { meta } = splitCard(renderModelCard({ results, provenance: pretrainedProvenance() }));
    expect(meta).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      base_model: 'black-forest-labs/FLUX.2-klein-base-4B',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'moral-plantain'],
      pipeline_tag: 'text-to-image',
    });
  });

  it('states the smallest attainable permutation p for exact and sampled nulls', () => {
    const text = (permutation: ProbeResults['permutation']) => renderInterpretation({ ...results, permutation }, pretrainedProvenance()).join('\n');
    const base = results.permutation;
    expect(text({ ...base, count: 4096, exact: true, tail: 'two-sided' })).toContain('the smallest attainable permutation p is 2/4,096.');
    expect(text({ ...base, count: 4096, exact: true, tail: 'greater' })).toContain('the smallest attainable permutation p is 1/4,096.');
    expect(text({ ...base, count: 1000, exact: false, tail: 'two-sided' })).toContain('the smallest attainable permutation p is 1/1,001.');
  });

  it('names the stimulus set in the title and its axis in the thesis', () => {
    const base = pretrainedProvenance();
    const card = renderModelCard({ results, provenance: { ...base, stimuli: { ...base.stimuli!, name: 'physical-scale', axis: 'physical scale', conditions: { a: 'large', b: 'small' } } } });
    const { body } = splitCard(card);
    expect(body).toContain('\n# physical-scale probe: ');
    expect(section(body, 'Thesis')).toContain('carry physical scale as a separable axis? The probe contrasts large (condition a) versus small (condition b)');
    expect(section(splitCard(renderModelCard({ results, provenance: base })).body, 'Thesis')).toContain('Does FLUX.2 [klein] 4B carry moral valence as a separable axis?');
  });

  it('states the unit definition: all channels, attention channels only, or an exact channel range', () => {
    const method = (unit: NonNullable<RunProvenance['protocol']>['unit']) => {
      const base = pretrainedProvenance();
      return section(splitCard(renderModelCard({ results, provenance: { ...base, protocol: { ...base.protocol!, unit } } })).body, 'Method');
    };
    expect(method({ width: 16, channels: 'all', count: 16320 })).toContain('all channels of the tapped input (in single-stream blocks these include the MLP channels)');
    expect(method({ width: 16, channels: 'attention-only', channelRange: { start: 0, end: 3072 }, count: 4800 })).toContain('attention channels only (channels 0 to 3,071)');
    expect(method({ width: 16, channels: 'subset', channelRange: { start: 3072, end: 6144 }, count: 4800 })).toContain("a subset of the tapped input's channels (channels 3,072 to 6,143)");
  });

  it('states the reference images, over which tokens the RMS is taken, and narrows the visual-content limitation', () => {
    const base = pretrainedProvenance();
    const card = (tokens: 'all' | 'text-and-noisy', source: 'generated' | 'files') =>
      splitCard(
        renderModelCard({
          results,
          provenance: {
            ...base,
            protocol: {
              ...base.protocol!,
              unit: { ...base.protocol!.unit, tokens },
              references: { source, imagesPerPrompt: 1, tokensPerPrompt: { min: 1024, max: 1024 }, ...(source === 'generated' ? { generation: { steps: 50, guidance: 4, guided: true, seed: 42 } } : {}) },
            },
          },
        }),
      ).body;
    const generated = card('text-and-noisy', 'generated');
    expect(section(generated, 'Method')).toContain(
      "every prompt conditioned on 1 reference image (1,024 image tokens, time offsets 10, 20, ... in the position ids), the same for both prompts of a pair: one image per pair drawn by the probed model from the pair's neutral scene description (50 steps, guidance 4, seed 42)",
    );
    expect(section(generated, 'Method')).toContain('the RMS over the sequence axis (the text and noisy image tokens only: the reference image tokens are left out;');
    const limits = section(generated, 'Limitations');
    expect(limits).toContain('Visual content is held fixed on the image side: both prompts of a pair were conditioned on the same reference image.');
    expect(limits).toContain('The reference tokens are left out of each unit');
    expect(limits).toContain('drawn by the probed model itself');
    expect(limits).not.toContain('Visual content is not factored out');
    const files = card('all', 'files');
    expect(section(files, 'Method')).toContain('(all of its tokens: text, noisy image and reference image tokens)');
    expect(section(files, 'Method')).toContain('the same given image for every pair');
    expect(section(files, 'Limitations')).toContain('The reference tokens are part of each unit');
    // Without references, the card keeps its open limitation and says nothing of tokens.
    const plain = splitCard(renderModelCard({ results, provenance: base })).body;
    expect(section(plain, 'Limitations')).toContain('Visual content is not factored out');
    expect(section(plain, 'Method')).not.toContain('reference image');
  });

  it('has the sections in order, with the published table and top-blocks lines in Results', () => {
    const { body } = splitCard(renderModelCard({ results, provenance: pretrainedProvenance() }));
    const headings = marked.lexer(body).filter((t): t is Tokens.Heading => t.type === 'heading');
    expect(headings.map((h) => `${h.depth} ${h.text}`)).toEqual(['1 moral-plantain probe: FLUX.2 [klein] 4B', ...SECTIONS.map((s) => `2 ${s}`)]);
    const lines = section(body, 'Results').split('\n');
    const start = lines.indexOf(PUBLISHED_TABLE[0] ?? '');
    expect(lines.slice(start, start + PUBLISHED_TABLE.length)).toEqual(PUBLISHED_TABLE);
    expect(lines).toContain(PUBLISHED_TOP_BLOCKS);
  });

  it('parses the Results table into the published cells', () => {
    const { body } = splitCard(renderModelCard({ results }));
    const table = marked.lexer(section(body, 'Results')).find((t): t is Tokens.Table => t.type === 'table');
    expect(table?.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ['units with |t| > 3', '3,221 (19.7%)', '6.4x empirical null p99'],
      ['units with |t| > 5', '509 (3.1%)', '102x empirical null p99'],
      ['units with |d| > 0.8', '1,386 (8.5%)', '-'],
      ['split-half r (median of 100 splits)', '0.573', 'IQR [0.55, 0.60]'],
      ['max |t|', '10.05', '-'],
    ]);
  });

  it('fills Method from the run provenance', () => {
    const { body } = splitCard(renderModelCard({ results, provenance: pretrainedProvenance() }));
    const method = section(body, 'Method');
    for (const fact of ['25 pairs', '1 denoising step at guidance scale 1', 'seed 42', '16,320 units in 25 blocks', '16-channel slice', '1,000 sign-flip permutations', '100 random 50/50 splits', 'condition a: helping, condition b: ignoring']) {
      expect(method).toContain(fact);
    }
  });

  it('states a quantized model\'s weights in Method and its quantization error in Limitations, and nothing of it for float weights', () => {
    const q = { op: 'MatMulNBits', bits: 4, blockSize: 128, symmetric: false, scaleType: 'float32', layers: ['transformer_blocks.*.attn.to_q'], quantizedLinears: 100, floatLinears: ['x_embedder', 'proj_out'] } as const;
    const base = pretrainedProvenance();
    const provenance: RunProvenance = { ...base, model: { ...base.model!, quantization: { transformer: q, textEncoder: { ...q, quantizedLinears: 189, floatLinears: [] } } } };
    const { body } = splitCard(renderModelCard({ results, provenance }));
    expect(section(body, 'Method')).toContain(
      "- **Weights**: the transformer's 100 linear layers to int4 (2 kept in float: `x_embedder`, `proj_out`); the text encoder's 189 linear layers to int4. Weight-only quantization at build time, run by ONNX Runtime's `MatMulNBits`: blocks of 128 input weights along each output row, a float32 scale per block, a zero point per block; activations in float32.",
    );
    expect(section(body, 'Limitations')).toContain('- The transformer ran with int4 weights:');
    const float = splitCard(renderModelCard({ results, provenance: base })).body;
    expect(float).not.toContain('**Weights**');
    expect(float).not.toContain('ran with int');
  });

  it('says once and plainly what it does not know without a run record, and nothing it does not know', () => {
    const { body } = splitCard(renderModelCard({ results }));
    expect(body.split('## Thesis')[0]).toContain('> **No run record.** These results came without a run.json, so this card does not know which model or which stimuli and protocol produced them, or what a unit is.');
    expect(body.match(/run\.json/g)).toHaveLength(1);
    expect(body.replace(/moral-plantain toolkit|moral-plantain\/results@1/g, '')).not.toMatch(/not recorded|FLUX|klein|moral|valence|helping|prompt|transformer|head/i);
    expect(section(body, 'Method')).toContain('- **Data**: 16,320 units in 25 groups measured under condition a and condition b in each of 25 pairs.');
    expect(section(body, 'Thesis')).toContain('Do the 16,320 units in these results differ between condition a and condition b, over 25 pairs');
  });

  it('calls a tiny-seeded run a pipeline check, not a finding, in banner, interpretation, limitations and tags', () => {
    const card = renderModelCard({ results, provenance: tinyProvenance() });
    const { meta, body } = splitCard(card);
    expect((meta as { tags: string[] }).tags).toContain('pipeline-check');
    expect(body.split('## Thesis')[0]).toContain('Pipeline check');
    expect(section(body, 'Interpretation')).toContain('pipeline check, not a finding');
    expect(section(body, 'Interpretation')).not.toContain('the probed model carries');
    expect(section(body, 'Limitations')).toContain('tiny seeded-random model');
  });

  it('claims an axis only when a |t| count exceeds its null p99 with a small count p-value', () => {
    const supported = section(splitCard(renderModelCard({ results, provenance: pretrainedProvenance() })).body, 'Interpretation');
    expect(supported).toContain('supports the reading that the probed model carries the contrast');
    const atNull: ProbeResults = {
      ...results,
      thresholds: results.thresholds.map((th) => ({ ...th, observed: Math.floor(th.nullP99 * 0.9), p: 0.4 })),
    };
    const unsupported = section(splitCard(renderModelCard({ results: atNull, provenance: pretrainedProvenance() })).body, 'Interpretation');
    expect(unsupported).toContain('do not support a separable axis');
    expect(unsupported).not.toContain('supports the reading');
    // Above the p99 but with a large count p-value: still no claim.
    const weak: ProbeResults = { ...results, thresholds: results.thresholds.map((th) => ({ ...th, p: 0.2 })) };
    expect(judge(weak, pretrainedProvenance()).axisSupported).toBe(false);
  });

  it('names only the counts that beat their null as support, and the others as not above it', () => {
    const [t3, t5, d08] = results.thresholds;
    if (!t3 || !t5 || !d08) throw new Error('fixture has three thresholds');
    const mixed: ProbeResults = { ...results, thresholds: [{ ...t3, nullP99: 4000, ratioToNullP99: 3221 / 4000, p: 0.04 }, t5, d08] };
    const text = section(splitCard(renderModelCard({ results: mixed })).body, 'Interpretation');
    expect(text).toContain('More units exceed |t| > 5 than sign-flip permutations of the pair labels produce (|t| > 5: 509 units against a null p99 of 5 (102x), permutation p < 0.001).');
    expect(text).toContain('Not above the null at this level: |t| > 3: 3,221 units against a null p99 of 4,000 (0.8x), permutation p = 0.04.');
  });

  it('reports how many units survive FWER and FDR, counted from the unit columns', () => {
    const fwer = results.units.pFwer.filter((p) => p !== null && p < 0.05).length;
    const fdr = results.units.qFdr.filter((q) => q !== null && q < 0.05).length;
    expect(fwer).toBeGreaterThan(0);
    const interpretation = section(splitCard(renderModelCard({ results })).body, 'Interpretation');
    expect(interpretation).toContain(`${fwer.toLocaleString('en-US')} of 16,320 units survive family-wise error control`);
    expect(interpretation).toContain(`${fdr.toLocaleString('en-US')} units have Benjamini-Hochberg q < 0.05`);
    const none: ProbeResults = { ...results, units: { ...results.units, pFwer: results.units.pFwer.map(() => null) } };
    expect(section(splitCard(renderModelCard({ results: none })).body, 'Interpretation')).toContain('FWER-corrected (max-|t|) p-values were not computed');
  });

  it('links figures and the CSV by relative path', () => {
    const { body } = splitCard(
      renderModelCard({ results, figures: [{ path: 'figures/t-histogram.svg', title: 't | histogram' }], csvPath: 'unit-statistics.csv' }),
    );
    const html = marked.parse(body) as string;
    expect(html.match(/<img [^>]*>/g)).toEqual(['<img src="figures/t-histogram.svg" alt="t | histogram">']);
    expect(html).toContain('<a href="unit-statistics.csv">unit-statistics.csv</a>');
    expect(html).not.toContain('huggingface.co');
    const withBase = marked.parse(splitCard(renderModelCard({ results, provenance: pretrainedProvenance() })).body) as string;
    expect(withBase).toContain('<a href="https://huggingface.co/black-forest-labs/FLUX.2-klein-base-4B">');
  });
});

describe('safe text', () => {
  const nasty: RunProvenance = {
    ...pretrainedProvenance(),
    model: { name: NASTY, baseModel: `org/${NASTY}`, kind: 'pretrained', files: [{ path: NASTY, sha256: '`x`' }] },
    stimuli: { name: NASTY, version: NASTY, axis: NASTY, language: NASTY, pairs: 25, hash: NASTY, categories: [NASTY, 'ok'], conditions: { a: NASTY, b: 'ignoring | "b"' } },
    packages: { [NASTY]: NASTY },
    device: NASTY,
  };
  const results: ProbeResults = {
    ...publishedResults(),
    groups: [{ name: NASTY, units: 16320, maxAbsT: 10.05, countAbsTOver3: 3221, medianAbsD: 0.2 }],
  };
  const card = renderModelCard({ results, provenance: nasty }, { extraTags: [NASTY] });

  it('keeps the YAML front matter valid and the values intact, and a base model only when it is a Hub repo id', () => {
    const { meta } = splitCard(card);
    expect(meta).not.toHaveProperty('base_model');
    expect((meta as { tags: string[] }).tags).toContain(NASTY);
    expect((meta as { language: string[] }).language).toEqual([NASTY]);
    expect(card.match(/^---$/gm)).toHaveLength(2);
  });

  it('opens no headings, rules, code blocks, HTML, quotes or lists of its own', () => {
    const tokens = marked.lexer(splitCard(card).body);
    const headings = tokens.filter((t): t is Tokens.Heading => t.type === 'heading').map((h) => h.depth === 1 ? 'title' : h.text);
    expect(headings).toEqual(['title', ...SECTIONS]);
    const kinds = new Set<string>();
    walk(tokens, (t) => kinds.add(t.type));
    for (const forbidden of ['hr', 'code', 'html', 'link', 'image', 'blockquote', 'del']) {
      expect(kinds.has(forbidden), forbidden).toBe(false);
    }
    // The card's own emphasis is labels and journal names; none comes from the data's *em* or _u_.
    const emphasis: string[] = [];
    walk(tokens, (t) => {
      if (t.type === 'em' || t.type === 'strong') emphasis.push((t as Tokens.Em).text);
    });
    expect(emphasis.filter((text) => text === 'em' || text === 'u')).toEqual([]);
    // The card's own lists only: Method, Limitations, References.
    expect(tokens.filter((t) => t.type === 'list')).toHaveLength(3);
  });

  it('keeps every table row at its column count and the data text readable in the cells', () => {
    const tables: Tokens.Table[] = [];
    walk(marked.lexer(splitCard(card).body), (t) => {
      if (t.type === 'table') tables.push(t as Tokens.Table);
    });
    expect(tables.length).toBe(3);
    for (const table of tables) for (const row of table.rows) expect(row).toHaveLength(table.header.length);
    const topBlocks = tables[1];
    const oneLine = NASTY.replace(/\n/g, ' ');
    const html = marked.parseInline(topBlocks?.rows[0]?.[1]?.text ?? '') as string;
    expect(html).not.toContain('<script>');
    expect(decodeEntities(html.replace(/<[^>]+>/g, ''))).toBe(oneLine);
  });

  it('renders a hostile name as literal text in the heading', () => {
    const heading = marked.lexer(splitCard(card).body).find((t): t is Tokens.Heading => t.type === 'heading' && t.depth === 1);
    const html = marked.parseInline(heading?.text ?? '') as string;
    expect(decodeEntities(html.replace(/<code>([^<]*)<\/code>/g, '`$1`').replace(/<[^>]+>/g, ''))).toBe(`${NASTY.replace(/\n/g, ' ')} probe: ${NASTY.replace(/\n/g, ' ')}`);
  });
});

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
