import { quantizationName, type UnitDefinition, type WeightQuantization } from '@moral-plantain/formats';
import type { ProbeResults } from '@moral-plantain/stats';
import { cardFacts, cardTitle, FLUX2_ARCHITECTURE, type CardFacts } from './card-facts.js';
import { renderCausalTest, type CausalTestInput } from './causal-test.js';
import { metadataOf, renderFrontMatter, type FrontMatterOptions } from './front-matter.js';
import { judge, renderInterpretation, type InterpretationOptions, type Verdict } from './interpretation.js';
import { codeSpan, escapeInline, tableRow } from './markdown-text.js';
import { formatCount, formatStatistic, formatThreshold } from './number-format.js';
import { renderResultsTable, type ResultsTableOptions } from './results-table.js';
import type { ProtocolProvenance, ReferenceProvenance, RunProvenance } from './run-provenance.js';
import { renderTopBlocksLine, renderTopBlocksTable } from './top-blocks.js';
import { deviceText } from './device-text.js';

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
  /** A causal test of the units (`moral-plantain patch`), rendered as its own section. Default none. */
  readonly causalTest?: CausalTestInput;
}

/** Options of the model card (each part's options pass through). */
export interface ModelCardOptions extends FrontMatterOptions, InterpretationOptions, ResultsTableOptions {
  /** How many blocks the Top blocks section lists. Default 5. */
  readonly topBlocks?: number;
}

/** Renders README.md: Hugging Face model-card front matter, then the report (thesis to references), stating only what is known. */
export function renderModelCard(input: ModelCardInput, options: ModelCardOptions = {}): string {
  const { results, provenance } = input;
  const nTop = options.topBlocks ?? 5;
  const facts = cardFacts(provenance, options);
  const verdict = judge(results, provenance, options);
  const sections = [
    renderFrontMatter(metadataOf(facts, options)).trimEnd(),
    `# ${escapeInline(cardTitle(facts, results))}`,
    ...banners(results, facts, verdict),
    '## Thesis',
    thesis(results, facts),
    '## Method',
    method(results, provenance, facts).join('\n'),
    '## Results',
    renderResultsTable(results, options).join('\n'),
    renderTopBlocksLine(results, nTop),
    ...figures(input),
    '## Top blocks',
    topBlocksIntro(verdict),
    renderTopBlocksTable(results, nTop).join('\n'),
    '## Interpretation',
    ...renderInterpretation(results, provenance, options),
    ...(input.causalTest ? renderCausalTest(input.causalTest, provenance) : []),
    '## Limitations',
    limitations(results, provenance, facts, verdict, input.causalTest !== undefined).join('\n'),
    '## Reproducibility',
    reproducibility(results, provenance).join('\n'),
    '## License',
    license(facts),
    '## References',
    references(facts).join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** Block quotes under the title: what the card does not know, what kind of weights ran, an example set, degenerate data. */
function banners(results: ProbeResults, facts: CardFacts, verdict: Verdict): string[] {
  const out: string[] = [];
  if (!facts.recorded) {
    out.push(
      `> **No run record.** These results came without a run.json, so this card does not know ${facts.modelName === null ? 'which model or ' : ''}which stimuli and protocol produced them, or what a unit is. It reports the statistics of the activations as given.`,
    );
  }
  if (facts.kind === 'tiny-seeded') {
    out.push('> **Pipeline check.** This report was made with the tiny seeded-random model of the FLUX.2 architecture, not with a trained model. Its numbers show that the probe runs end to end; they are not a finding about any model.');
  } else if (facts.kind === 'random-init-control') {
    out.push(
      `> **Random-init control.** This report probes ${facts.architecture ? `the ${escapeInline(facts.architecture)} architecture` : 'the architecture'} with untrained (seeded random) weights: a baseline for what the prompts' lexical differences produce on their own, not a finding about a trained model.`,
    );
  }
  if (facts.stimuli?.example) {
    out.push(`> **Example stimuli.** The set ${escapeInline(facts.stimuli.name)} only illustrates the stimulus format; its ${formatCount(facts.stimuli.pairs)} pairs are not meant as an experiment.`);
  }
  const { degenerate } = verdict;
  if (verdict.allDegenerate) {
    const nearConstant = degenerate.nearConstant.length;
    out.push(
      nearConstant === 0
        ? `> **Degenerate data.** Every unit has the same difference in every pair (zero variance): there is nothing to test, and every count below is empty.`
        : `> **Degenerate data.** No unit's differences vary from pair to pair beyond rounding (${degenerateShare(results.nUnits, degenerate.zeroVariance, nearConstant)}): the statistics below describe the precision of the numbers, not an effect.`,
    );
  } else if (degenerate.nearConstant.length > 0) {
    out.push(
      `> **Degenerate units.** ${formatCount(degenerate.nearConstant.length)} of ${formatCount(results.nUnits)} units are near-constant: the same difference in every pair to within rounding. Their |t|, up to ${formatStatistic(degenerate.nearConstantMaxAbsT)}, measures rounding, not an effect (see Interpretation).`,
    );
  }
  return out;
}

/** "all 40 near-constant", or "12 zero-variance and 28 near-constant of 40 units". */
function degenerateShare(nUnits: number, zeroVariance: number, nearConstant: number): string {
  if (zeroVariance === 0) return `all ${formatCount(nUnits)} units near-constant`;
  return `${formatCount(zeroVariance)} zero-variance and ${formatCount(nearConstant)} near-constant of ${formatCount(nUnits)} units`;
}

function thesis(results: ProbeResults, facts: CardFacts): string {
  const { stimuli, modelName, kind } = facts;
  const model = modelName === null ? null : escapeInline(modelName);
  const inside = facts.architecture ? ' inside the transformer' : '';
  const question = `whether the per-unit activation magnitudes${inside} differ between the two conditions more than relabelling the pairs at random would produce`;
  if (!stimuli) {
    const subject = model ? `the units of ${model}` : `the ${formatCount(results.nUnits)} units in these results`;
    return `Do ${subject} differ between condition a and condition b, over ${formatCount(results.nPairs)} pairs, by more than relabelling the pairs at random would produce? The paired design compares each pair's two conditions directly, so what the two members of a pair share cancels.`;
  }
  const conditions = stimuli.conditions;
  const contrast = conditions
    ? `${escapeInline(conditions.a)} (condition a) versus ${escapeInline(conditions.b)} (condition b)`
    : 'condition a versus condition b';
  const pairs = 'in prompt pairs whose scene and agents are identical and whose prompts have the same token length';
  const axis = stimuli.axis ? escapeInline(stimuli.axis) : null;
  if (kind === 'tiny-seeded') {
    return (
      `This run checks the probe pipeline on the tiny seeded-random model. Asked of a trained model, the probe's question is whether it carries ${axis ?? 'the contrast of the two conditions'} as a separable axis: ` +
      `it contrasts ${contrast} ${pairs}, and asks ${question}. Random weights cannot answer that question; here the numbers only show that every step runs.`
    );
  }
  if (kind === 'random-init-control') {
    return (
      `Does ${model ?? 'the architecture'} with random weights already tell ${conditions ? `${escapeInline(conditions.a)} (condition a) from ${escapeInline(conditions.b)} (condition b)` : 'condition a from condition b'}? The probe contrasts the two ${pairs}, and asks ${question}. ` +
      'On untrained weights any effect comes from the prompts themselves, the baseline a trained model has to beat.'
    );
  }
  return `Does ${model ?? 'the probed model'} carry ${axis ?? 'the contrast of the two conditions'} as a separable axis? The probe contrasts ${contrast} ${pairs}, and asks ${question}.`;
}

function method(results: ProbeResults, provenance: RunProvenance | undefined, facts: CardFacts): string[] {
  const notRecorded = 'not recorded in run.json';
  const stimuli = provenance?.stimuli;
  const protocol = provenance?.protocol;
  const lines: string[] = [];
  const model = modelText(provenance, facts);
  if (model !== null) lines.push(`- **Model**: ${model}.`);
  else if (facts.recorded) lines.push(`- **Model**: ${notRecorded}.`);
  const weights = weightsText(provenance);
  if (weights !== null) lines.push(`- **Weights**: ${weights}.`);
  if (!facts.recorded) {
    lines.push(`- **Data**: ${formatCount(results.nUnits)} units${results.groups.length > 1 ? ` in ${formatCount(results.groups.length)} groups` : ''} measured under condition a and condition b in each of ${formatCount(results.nPairs)} pairs.`);
  } else {
    const stimuliText = stimuli
      ? `${escapeInline(stimuli.name)}${stimuli.version ? ` ${escapeInline(stimuli.version)}` : ''}, ${formatCount(results.nPairs)} pairs` +
        (stimuli.categories && stimuli.categories.length > 0 ? ` covering ${stimuli.categories.map(escapeInline).join(', ')}` : '') +
        (stimuli.conditions ? `; condition a: ${escapeInline(stimuli.conditions.a)}, condition b: ${escapeInline(stimuli.conditions.b)}` : '')
      : `${formatCount(results.nPairs)} pairs; the set is ${notRecorded}`;
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
  }
  const perm = results.permutation;
  lines.push(
    `- **Statistics**: per unit, paired t and Cohen's d_z of the (a - b) ${facts.recorded ? 'magnitudes' : 'values'} over ${formatCount(results.nPairs)} pairs; ` +
      `${perm.exact ? `exact sign-flip null over all ${formatCount(perm.count)} sign patterns` : `empirical null from ${formatCount(perm.count)} sign-flip permutations of the within-pair labels`} ` +
      `(${perm.tail}, seed ${formatThreshold(perm.seed)}); threshold counts (${results.thresholds.map((th) => `|${th.stat}| > ${formatThreshold(th.value)}`).join(', ')}) against the null distribution of the same count; ` +
      `family-wise error by the max-|t| null, false discovery rate by Benjamini-Hochberg; ` +
      (results.splitHalf ? `split-half consistency over ${formatCount(results.splitHalf.splits)} random 50/50 splits of the pairs (Pearson r of the per-unit t vectors).` : 'split-half consistency not computed.'),
  );
  return lines;
}

/** The Model line: name, kind of weights, architecture, and the checkpoint's Hub id; null when nothing is known of the model. */
function modelText(provenance: RunProvenance | undefined, facts: CardFacts): string | null {
  const model = provenance?.model;
  if (facts.modelName === null && model === undefined) return facts.baseModel ? `from the checkpoint ${codeSpan(facts.baseModel)}` : null;
  const name = facts.modelName ?? model?.name ?? '';
  const parts = [escapeInline(name)];
  const details: string[] = [];
  // The tiny model's name already says what it is.
  if (facts.kind !== null && facts.kind !== 'tiny-seeded') details.push(modelKindText(facts.kind));
  if (facts.architecture && !name.includes(facts.architecture)) details.push(`${escapeInline(facts.architecture)} architecture`);
  if (model?.weightSeed !== undefined && facts.kind !== 'pretrained') details.push(`weight seed ${formatThreshold(model.weightSeed)}`);
  if (details.length > 0) parts.push(name.endsWith(')') ? `, ${details.join(', ')}` : ` (${details.join(', ')})`);
  if (facts.baseModel) parts.push(`, from the checkpoint ${codeSpan(facts.baseModel)}`);
  else if (facts.kind === 'pretrained') parts.push('; the Hugging Face repository of its checkpoint is not recorded');
  return parts.join('');
}

/** The Weights line: how each graph's linear layers were quantized; null for float weights (or none recorded). */
function weightsText(provenance: RunProvenance | undefined): string | null {
  const q = provenance?.model?.quantization;
  const graphs: { readonly what: string; readonly w: WeightQuantization }[] = [];
  if (q?.transformer) graphs.push({ what: 'transformer', w: q.transformer });
  if (q?.textEncoder) graphs.push({ what: 'text encoder', w: q.textEncoder });
  const first = graphs[0];
  if (!first) return null;
  const parts = graphs.map(({ what, w }) => {
    const kept = w.floatLinears.length > 0 ? ` (${formatCount(w.floatLinears.length)} kept in float: ${w.floatLinears.map(codeSpan).join(', ')})` : '';
    return `the ${what}'s ${formatCount(w.quantizedLinears)} linear layers to ${quantizationName(w)}${kept}`;
  });
  const { w } = first;
  return (
    `${parts.join('; ')}. Weight-only quantization at build time, run by ONNX Runtime's ${codeSpan(w.op)}: blocks of ${formatCount(w.blockSize)} input weights along each output row, ` +
    `a ${w.scaleType} scale per block, ${w.symmetric ? 'symmetric' : 'a zero point per block'}; activations in float32`
  );
}

function unitText(results: ProbeResults, provenance: RunProvenance | undefined): string {
  const unit = provenance?.protocol?.unit;
  const count = `${formatCount(results.nUnits)} units`;
  const blocks = results.groups.length > 0 ? ` in ${formatCount(results.groups.length)} blocks` : '';
  if (!unit) return `${count}${blocks}; the unit definition is not recorded in run.json`;
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
    (modules && modules.length > 0 ? `; ${formatCount(modules.length)} tapped module${modules.length === 1 ? '' : 's'}` : '')
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

/** The sentence above the Top blocks table; it names the near-constant column when there is one. */
function topBlocksIntro(verdict: Verdict): string {
  const base = 'Blocks ranked by their largest |t|; "units with |t| > 3" counts out of the block\'s units.';
  return verdict.degenerate.nearConstant.length > 0
    ? `${base} These figures include the near-constant units, counted in the last column: a block whose max |t| is far above the others' may owe it to one of them.`
    : base;
}

function limitations(results: ProbeResults, provenance: RunProvenance | undefined, facts: CardFacts, verdict: Verdict, causalTest: boolean): string[] {
  const lines = [
    `- ${formatCount(results.nPairs)} pairs is a small sample; t is sensitive to the variance of single pairs. The permutation null, FWER and FDR control and the split-half reliability are the guards against reading noise.`,
  ];
  if (facts.stimuli) lines.push(visualContent(provenance?.protocol));
  lines.push(
    causalTest
      ? '- The statistics above are correlational: units whose magnitude differs are not thereby shown to carry the difference. The Causal test section reports what scaling them did, and what that does not show.'
      : '- The result is correlational, not causal: units whose magnitude differs are not shown to carry the difference. Scaling or ablating units is the follow-up.',
  );
  if (facts.stimuli && facts.kind === 'random-init-control') {
    lines.push("- This run is the lexical control: what it shows is read against the trained model's run on the same stimuli and protocol, not on its own.");
  } else if (facts.stimuli) {
    lines.push('- Lexical differences between the prompts of a pair may drive the effect on their own; the same probe on a random-weight model of the same architecture is the control.');
  }
  const quantized = provenance?.model?.quantization?.transformer;
  if (quantized) {
    lines.push(
      `- The transformer ran with ${quantizationName(quantized)} weights: every unit's magnitude carries the quantization error, so the statistics can differ from those of the same model in float; small effects are worth checking against a float run.`,
    );
  }
  const unit = provenance?.protocol?.unit;
  if (unit) lines.push(`- ${unitVersusHead(unit.width, unit.channels, provenance?.model?.attentionHeadDim, facts.architecture)}`);
  const { degenerate } = verdict;
  if (degenerate.nearConstant.length > 0 || degenerate.zeroVariance > 0) {
    const parts = [
      degenerate.zeroVariance > 0 ? `${formatCount(degenerate.zeroVariance)} zero-variance units are left out of every count` : '',
      degenerate.nearConstant.length > 0
        ? `${formatCount(degenerate.nearConstant.length)} near-constant units are counted in the threshold counts, nulls and block figures although their t and d measure rounding`
        : '',
    ].filter((p) => p !== '');
    lines.push(
      `- Degenerate units: ${parts.join('; ')}. Their differences do not vary between pairs beyond rounding; whether the two conditions were measured as intended (not identical, not offset by a constant, not computed at a lower precision than they are stored in) is worth checking before anything else.`,
    );
  }
  if (facts.kind === 'tiny-seeded') {
    lines.unshift('- **The model is the tiny seeded-random model.** Nothing here is evidence about a trained model.');
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

/** How a unit relates to the attention heads: a slice of channels, not a head. */
function unitVersusHead(width: number, channels: string, headDim: number | undefined, architecture: string | null): string {
  const mlp = channels === 'all' && architecture === FLUX2_ARCHITECTURE ? '; with all channels tapped, most single-stream units are MLP channels, which belong to no head' : '';
  if (headDim === undefined) return `A unit is a contiguous ${formatCount(width)}-channel slice of the tapped input, not an attention head${mlp}.`;
  const relation =
    width < headDim && headDim % width === 0
      ? `a ${formatCount(width)}-channel slice is 1/${formatCount(headDim / width)} of a ${formatCount(headDim)}-channel head`
      : width === headDim
        ? `a ${formatCount(width)}-channel slice is as wide as one head, and lines up with the heads only in the attention channels`
        : `the slices are ${formatCount(width)} channels wide and the heads ${formatCount(headDim)}`;
  return `A unit is a slice of channels, not an attention head: ${relation}${mlp}.`;
}

function reproducibility(results: ProbeResults, provenance: RunProvenance | undefined): string[] {
  const rows: string[][] = [['item', 'value']];
  rows.push(['results format', escapeInline(results.format)]);
  rows.push(['permutation seed / PRNG', `${formatThreshold(results.permutation.seed)} / ${escapeInline(results.permutation.prng)}`]);
  if (provenance?.stimuli?.hash) rows.push(['stimuli hash', escapeInline(provenance?.stimuli.hash)]);
  if (provenance?.model?.weightSeed !== undefined) rows.push(['weight seed', formatThreshold(provenance?.model.weightSeed)]);
  for (const file of provenance?.model?.files ?? []) rows.push([`model file ${escapeInline(file.path)}`, escapeInline(file.sha256)]);
  for (const [name, version] of Object.entries(provenance?.packages ?? {})) rows.push([escapeInline(name), escapeInline(version)]);
  const device = provenance ? deviceText(provenance) : null;
  if (device) rows.push(['device', escapeInline(device)]);
  if (provenance?.createdAt) rows.push(['finished', escapeInline(provenance?.createdAt)]);
  return [tableRow(rows[0] ?? []), '|---|---|', ...rows.slice(1).map(tableRow)];
}

function license(facts: CardFacts): string {
  const own = 'This report, its figures and tables are released under the Apache License 2.0, as is the moral-plantain toolkit that produced them.';
  if (facts.baseModel) return `${own} The probed model is distributed under its own license; see the model page of ${codeSpan(facts.baseModel)}.`;
  if (facts.kind === 'tiny-seeded') return `${own} The tiny model's weights are seeded random numbers made by the toolkit.`;
  if (facts.kind === 'random-init-control') return `${own} The control's transformer weights are seeded random numbers; a text encoder taken from a checkpoint keeps that checkpoint's license.`;
  if (facts.kind === 'pretrained' || facts.modelName !== null) return `${own} The probed model is distributed under its own license.`;
  return own;
}

function references(facts: CardFacts): string[] {
  const list = [
    'Nichols, T. E., & Holmes, A. P. (2002). Nonparametric permutation tests for functional neuroimaging: a primer with examples. *Human Brain Mapping*, 15(1), 1-25.',
    'Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful approach to multiple testing. *Journal of the Royal Statistical Society B*, 57(1), 289-300.',
    'Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Lawrence Erlbaum.',
    'Spearman, C. (1910). Correlation calculated from faulty data. *British Journal of Psychology*, 3, 271-295; Brown, W. (1910). Some experimental results in the correlation of mental abilities. *British Journal of Psychology*, 3, 296-322.',
  ];
  // facts.baseModel is a checked Hub repo id, so it makes a safe autolink.
  if (facts.baseModel) list.unshift(`Model card of the base model: <https://huggingface.co/${facts.baseModel}>.`);
  return list.map((entry, i) => `${i + 1}. ${entry}`);
}

function modelKindText(kind: string): string {
  return kind === 'tiny-seeded' ? 'tiny seeded-random model' : kind === 'random-init-control' ? 'random-init control: seeded random transformer weights' : 'pretrained weights';
}
