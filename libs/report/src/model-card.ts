import type { UnitDefinition } from '@moral-plantain/formats';
import type { ProbeResults } from '@moral-plantain/stats';
import { DEFAULT_BASE_MODEL, modelCardMetadata, renderFrontMatter, type FrontMatterOptions } from './front-matter.js';
import { renderInterpretation, type InterpretationOptions } from './interpretation.js';
import { codeSpan, escapeInline, tableRow } from './markdown-text.js';
import { formatCount, formatThreshold } from './number-format.js';
import { renderResultsTable, type ResultsTableOptions } from './results-table.js';
import type { ProtocolProvenance, ReferenceProvenance, RunProvenance } from './run-provenance.js';
import { renderTopBlocksLine, renderTopBlocksTable } from './top-blocks.js';

/** A figure the card links to, by path relative to the README. */
export interface FigureLink {
  /** Relative path, e.g. "figures/abs-t-by-block.svg". */
  readonly path: string;
  /** Alt text and caption. */
  readonly title: string;
}

/** What a model card is made from. */
export interface ModelCardInput {
  readonly results: ProbeResults;
  /** The run's provenance; without it the card says what it does not know. */
  readonly provenance?: RunProvenance;
  /** Figures to link, in order. Default none. */
  readonly figures?: readonly FigureLink[];
  /** Relative path of the per-unit CSV to link, if written. Default none. */
  readonly csvPath?: string;
}

/** Options of the model card (each part's options pass through). */
export interface ModelCardOptions extends FrontMatterOptions, InterpretationOptions, ResultsTableOptions {
  /** How many blocks the Top blocks section lists. Default 5. */
  readonly topBlocks?: number;
}

/** Renders README.md: Hugging Face model-card front matter, then the report (thesis to references). */
export function renderModelCard(input: ModelCardInput, options: ModelCardOptions = {}): string {
  const { results, provenance } = input;
  const nTop = options.topBlocks ?? 5;
  const modelName = provenance?.model?.name ?? 'FLUX.2 [klein] 4B';
  const sections = [
    renderFrontMatter(modelCardMetadata(provenance, options)).trimEnd(),
    `# ${escapeInline(provenance?.stimuli?.name ?? 'moral-plantain')} probe: ${escapeInline(modelName)}`,
    ...banner(provenance),
    '## Thesis',
    thesis(modelName, provenance),
    '## Method',
    method(results, provenance).join('\n'),
    '## Results',
    renderResultsTable(results, options).join('\n'),
    renderTopBlocksLine(results, nTop),
    ...figures(input),
    '## Top blocks',
    `Blocks ranked by their largest |t|; "units with |t| > 3" counts out of the block's units.`,
    renderTopBlocksTable(results, nTop).join('\n'),
    '## Interpretation',
    ...renderInterpretation(results, provenance, options),
    '## Limitations',
    limitations(results, provenance).join('\n'),
    '## Reproducibility',
    reproducibility(results, provenance).join('\n'),
    '## License',
    'This report, its figures and tables are released under the Apache License 2.0, as is the moral-plantain ' +
      'toolkit that produced them. The probed model is distributed under its own license; see its model page.',
    '## References',
    references(provenance).join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}

function banner(provenance: RunProvenance | undefined): string[] {
  if (provenance === undefined) {
    return ['> **No run provenance (run.json) was found.** Model, stimuli and protocol details below are not recorded; only the statistics are.'];
  }
  if (provenance.model?.kind === 'tiny-seeded') {
    return ['> **Pipeline check.** This report was made with the tiny seeded-random model of the FLUX.2 architecture, not with FLUX.2 [klein] 4B. Its numbers are not a finding about any trained model.'];
  }
  if (provenance.model?.kind === 'random-init-control') {
    return ['> **Random-weight control.** This report probes the architecture with untrained weights: a baseline for lexical effects, not a finding about the trained model.'];
  }
  return [];
}

function thesis(modelName: string, provenance: RunProvenance | undefined): string {
  const conditions = provenance?.stimuli?.conditions;
  const contrast = conditions
    ? `${escapeInline(conditions.a)} (condition a) versus ${escapeInline(conditions.b)} (condition b)`
    : 'condition a versus condition b';
  const axis = provenance?.stimuli?.axis ?? 'ethical valence';
  return (
    `Does ${escapeInline(modelName)} carry ${escapeInline(axis)} as a separable axis? The probe contrasts ${contrast} ` +
    'in prompt pairs whose scene and agents are identical and whose prompts have the same token length, and asks ' +
    'whether the per-unit activation magnitudes inside the transformer differ between the two conditions more ' +
    'than relabelling the pairs at random would produce.'
  );
}

function method(results: ProbeResults, provenance: RunProvenance | undefined): string[] {
  const notRecorded = 'not recorded (no run.json)';
  const model = provenance?.model;
  const stimuli = provenance?.stimuli;
  const protocol = provenance?.protocol;
  const lines: string[] = [];
  lines.push(
    `- **Model**: ${model ? `${escapeInline(model.name)} (${modelKindText(model.kind)})${model.baseModel ? `, ${codeSpan(model.baseModel)}` : ''}` : notRecorded}.`,
  );
  const stimuliText = stimuli
    ? `${escapeInline(stimuli.name)}${stimuli.version ? ` ${escapeInline(stimuli.version)}` : ''}, ${formatCount(results.nPairs)} pairs` +
      (stimuli.categories && stimuli.categories.length > 0 ? ` covering ${stimuli.categories.map(escapeInline).join(', ')}` : '') +
      (stimuli.conditions ? `; condition a: ${escapeInline(stimuli.conditions.a)}, condition b: ${escapeInline(stimuli.conditions.b)}` : '')
    : `${formatCount(results.nPairs)} pairs; set ${notRecorded}`;
  lines.push(`- **Stimuli**: ${stimuliText}.`);
  lines.push(
    `- **Protocol**: ${
      protocol
        ? `${formatCount(protocol.steps)} denoising step${protocol.steps === 1 ? '' : 's'} at guidance scale ${formatThreshold(protocol.guidanceScale)} ` +
          `(timestep ${formatThreshold(protocol.timestep)}) from fixed-seed noise (seed ${formatThreshold(protocol.seed)})` +
          (protocol.resolution ? `, ${protocol.resolution.width}x${protocol.resolution.height} pixels` : '') +
          (protocol.references ? `; ${referencesText(protocol.references)}` : '')
        : notRecorded
    }.`,
  );
  lines.push(`- **Units**: ${unitText(results, provenance)}.`);
  const perm = results.permutation;
  lines.push(
    `- **Statistics**: per unit, paired t and Cohen's d_z of the (a - b) magnitudes over ${formatCount(results.nPairs)} pairs; ` +
      `${perm.exact ? `exact sign-flip null over all ${formatCount(perm.count)} sign patterns` : `empirical null from ${formatCount(perm.count)} sign-flip permutations of the within-pair labels`} ` +
      `(${perm.tail}, seed ${formatThreshold(perm.seed)}); threshold counts (${results.thresholds.map((th) => `|${th.stat}| > ${formatThreshold(th.value)}`).join(', ')}) against the null distribution of the same count; ` +
      `family-wise error by the max-|t| null, false discovery rate by Benjamini-Hochberg; ` +
      (results.splitHalf ? `split-half consistency over ${formatCount(results.splitHalf.splits)} random 50/50 splits of the pairs (Pearson r of the per-unit t vectors).` : 'split-half consistency not computed.'),
  );
  return lines;
}

function unitText(results: ProbeResults, provenance: RunProvenance | undefined): string {
  const unit = provenance?.protocol?.unit;
  const count = `${formatCount(results.nUnits)} units`;
  const blocks = results.groups.length > 0 ? ` in ${formatCount(results.groups.length)} blocks` : '';
  if (!unit) return `${count}${blocks}; unit definition not recorded (no run.json)`;
  const range = unit.channelRange ? ` (channels ${formatCount(unit.channelRange.start)} to ${formatCount(unit.channelRange.end - 1)})` : '';
  const channels =
    unit.channels === 'all'
      ? 'all channels of the tapped input (in single-stream blocks these include the MLP channels)'
      : unit.channels === 'attention-only'
        ? `attention channels only${range}`
        : `a subset of the tapped input's channels${range}`;
  const modules = provenance?.protocol?.tappedModules;
  return (
    `${count}${blocks}: each a contiguous ${formatCount(unit.width)}-channel slice of the input of the attention output projection, ` +
    `${channels}; a unit's value for one prompt is the RMS over the sequence axis${tokensText(unit.tokens)} and its channels` +
    (modules && modules.length > 0 ? `; ${formatCount(modules.length)} tapped modules` : '')
  );
}

/** Which tokens the RMS covers, when reference image tokens were present. */
function tokensText(tokens: UnitDefinition['tokens']): string {
  if (tokens === undefined) return '';
  return tokens === 'all'
    ? ' (all of its tokens: text, noisy image and reference image tokens)'
    : ' (the text and noisy image tokens only: the reference image tokens are left out; in joint blocks, whose projection sees image tokens only, the noisy ones)';
}

function referencesText(references: ReferenceProvenance): string {
  const images = `${formatCount(references.imagesPerPrompt)} reference image${references.imagesPerPrompt === 1 ? '' : 's'}`;
  const { min, max } = references.tokensPerPrompt;
  const tokens = min === max ? `${formatCount(min)} image tokens` : `${formatCount(min)} to ${formatCount(max)} image tokens`;
  const source =
    references.source === 'generated'
      ? `one image per pair drawn by the probed model from the pair's neutral scene description${references.generation ? ` (${formatCount(references.generation.steps)} step${references.generation.steps === 1 ? '' : 's'}, ${references.generation.guided ? `guidance ${formatThreshold(references.generation.guidance)}` : 'no guidance'}, seed ${formatThreshold(references.generation.seed)})` : ''}`
      : references.source === 'folder'
        ? 'one given image per pair'
        : `the same given image${references.imagesPerPrompt === 1 ? '' : 's'} for every pair`;
  return `every prompt conditioned on ${images} (${tokens}, time offsets 10, 20, ... in the position ids), the same for both prompts of a pair: ${source}`;
}

function figures(input: ModelCardInput): string[] {
  const out: string[] = [];
  for (const figure of input.figures ?? []) {
    // Alt text is plain text (renderers differ on escapes inside it): brackets and backslashes are dropped.
    const alt = figure.title.replace(/[[\]\\]/g, '').replace(/\s+/g, ' ');
    out.push(`![${alt}](${encodeURI(figure.path)})`);
  }
  if (input.csvPath) out.push(`Per-unit statistics: [${escapeInline(input.csvPath)}](${encodeURI(input.csvPath)}).`);
  return out;
}

function limitations(results: ProbeResults, provenance: RunProvenance | undefined): string[] {
  const lines = [
    `- ${formatCount(results.nPairs)} pairs is a small sample; t is sensitive to the variance of single pairs. The permutation null, FWER and FDR control and the split-half reliability are the guards against reading noise.`,
    visualContent(provenance?.protocol),
    '- The result is correlational, not causal: units whose magnitude differs are not shown to carry the difference. Scaling or ablating units is the follow-up.',
    '- Lexical differences between the prompts of a pair may drive the effect on their own; the same probe on a random-weight model of the same architecture is the control.',
    '- A unit is a slice of channels, not an attention head: a 16-channel slice is 1/8 of a 128-channel head, and with all channels tapped most single-stream units are MLP channels.',
  ];
  if (provenance?.model?.kind === 'tiny-seeded') {
    lines.unshift('- **The model is the tiny seeded-random model.** Nothing here is evidence about FLUX.2 [klein] 4B.');
  }
  return lines;
}

/** The limitation on visual content: open without reference images, narrowed with them. */
function visualContent(protocol: ProtocolProvenance | undefined): string {
  const references = protocol?.references;
  if (!references) return '- Visual content is not factored out: the two prompts of a pair can lead to different images. A stronger design conditions every prompt on one fixed reference image.';
  const drawn =
    references.source === 'generated'
      ? ' The reference images were drawn by the probed model itself from neutral descriptions, so they carry its own biases (and with a seeded-random model they are noise).'
      : '';
  const tokens =
    protocol?.unit.tokens === 'text-and-noisy'
      ? ' The reference tokens are left out of each unit\'s RMS, but they still shape the text and noisy tokens through attention.'
      : ' The reference tokens are part of each unit\'s RMS: a difference there means the prompt changed how the model reads the same image.';
  return `- Visual content is held fixed on the image side: both prompts of a pair were conditioned on the same reference image${references.imagesPerPrompt === 1 ? '' : 's'}. The text still differs, and the model may attend to the reference differently under the two prompts.${tokens}${drawn}`;
}

function reproducibility(results: ProbeResults, provenance: RunProvenance | undefined): string[] {
  if (provenance === undefined) {
    return [`No run.json was found beside results.json; results format ${codeSpan(results.format)}, permutation seed ${formatThreshold(results.permutation.seed)} (${escapeInline(results.permutation.prng)}).`];
  }
  const rows: string[][] = [['item', 'value']];
  rows.push(['results format', escapeInline(results.format)]);
  rows.push(['permutation seed / PRNG', `${formatThreshold(results.permutation.seed)} / ${escapeInline(results.permutation.prng)}`]);
  if (provenance.stimuli?.hash) rows.push(['stimuli hash', escapeInline(provenance.stimuli.hash)]);
  if (provenance.model?.weightSeed !== undefined) rows.push(['weight seed', formatThreshold(provenance.model.weightSeed)]);
  for (const file of provenance.model?.files ?? []) rows.push([`model file ${escapeInline(file.path)}`, escapeInline(file.sha256)]);
  for (const [name, version] of Object.entries(provenance.packages ?? {})) rows.push([escapeInline(name), escapeInline(version)]);
  if (provenance.device) rows.push(['device', escapeInline(provenance.device)]);
  if (provenance.createdAt) rows.push(['finished', escapeInline(provenance.createdAt)]);
  return [tableRow(rows[0] ?? []), '|---|---|', ...rows.slice(1).map(tableRow)];
}

function references(provenance: RunProvenance | undefined): string[] {
  const base = provenance?.model?.baseModel ?? DEFAULT_BASE_MODEL;
  // Only a well-formed Hugging Face repository id becomes a link.
  const page = HF_REPO_ID.test(base) ? `<https://huggingface.co/${base}>` : escapeInline(base);
  return [
    `1. Model card of the base model: ${page}.`,
    '2. Nichols, T. E., & Holmes, A. P. (2002). Nonparametric permutation tests for functional neuroimaging: a primer with examples. *Human Brain Mapping*, 15(1), 1-25.',
    '3. Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful approach to multiple testing. *Journal of the Royal Statistical Society B*, 57(1), 289-300.',
    '4. Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Lawrence Erlbaum.',
    '5. Spearman, C. (1910). Correlation calculated from faulty data. *British Journal of Psychology*, 3, 271-295; Brown, W. (1910). Some experimental results in the correlation of mental abilities. *British Journal of Psychology*, 3, 296-322.',
  ];
}

const HF_REPO_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

function modelKindText(kind: string): string {
  return kind === 'tiny-seeded' ? 'tiny seeded-random model' : kind === 'random-init-control' ? 'random-weight control' : 'pretrained weights';
}
