import type { ModelKind } from '@moral-plantain/formats';
import type { ProbeResults, ThresholdResult } from '@moral-plantain/stats';
import { degenerateUnits, nearConstantBeyond, type DegenerateUnits } from './degenerate-units.js';
import { escapeInline } from './markdown-text.js';
import { formatCount, formatFixed, formatP, formatRatio, formatStatistic, formatThreshold } from './number-format.js';
import type { RunProvenance } from './run-provenance.js';
import { topBlocks } from './top-blocks.js';
import { groupLabels } from './unit-csv.js';

/** Decision levels of the interpretation. */
export interface InterpretationOptions {
  /** A threshold count supports an axis only when its permutation p is below this. Default 0.01. */
  readonly countAlpha?: number;
  /** Level for the per-unit FWER (max-|t|) and FDR counts. Default 0.05. */
  readonly unitAlpha?: number;
}

/** What the numbers support, decided before any prose is written. */
export interface Verdict {
  /**
   * Threshold counts above their null p99 with p < countAlpha that stay above it without their
   * near-constant units (a conservative check: leaving units out can only lower the null counts).
   */
  readonly supporting: readonly ThresholdResult[];
  /** Counts above their null p99 with p < countAlpha only because of the near-constant units they include. */
  readonly carriedByNearConstant: readonly ThresholdResult[];
  /** True when at least one |t| threshold count supports an axis. */
  readonly axisSupported: boolean;
  /** Units with pFwer < unitAlpha, or null when no FWER p-values were computed. */
  readonly fwerUnits: number | null;
  /** Units with qFdr < unitAlpha, or null when no FDR q-values were computed. */
  readonly fdrUnits: number | null;
  /** True when the run used the tiny seeded model. */
  readonly pipelineCheck: boolean;
  /** The kind of the model's weights, or null when no run record says. */
  readonly kind: ModelKind | null;
  /** The units whose t and d do not measure an effect. */
  readonly degenerate: DegenerateUnits;
  /** True when no unit has a t that measures anything: every one has zero variance or is near-constant. */
  readonly allDegenerate: boolean;
}

/**
 * Decides what the results support: which counts beat their null (without leaning on
 * near-constant units), how many units survive FWER / FDR, and whether the data are degenerate.
 */
export function judge(results: ProbeResults, provenance: RunProvenance | undefined, options: InterpretationOptions = {}): Verdict {
  const countAlpha = options.countAlpha ?? 0.01;
  const unitAlpha = options.unitAlpha ?? 0.05;
  const degenerate = degenerateUnits(results);
  const allDegenerate = results.nUnits > 0 && degenerate.resolved === 0;
  const aboveNull = allDegenerate ? [] : results.thresholds.filter((th) => th.observed > th.nullP99 && th.p < countAlpha);
  const withoutNearConstant = (th: ThresholdResult) => th.observed - nearConstantBeyond(results, degenerate, th) > th.nullP99;
  const supporting = aboveNull.filter(withoutNearConstant);
  return {
    supporting,
    carriedByNearConstant: aboveNull.filter((th) => !withoutNearConstant(th)),
    axisSupported: supporting.some((th) => th.stat === 't'),
    fwerUnits: countBelow(results.units.pFwer, unitAlpha),
    fdrUnits: countBelow(results.units.qFdr, unitAlpha),
    pipelineCheck: provenance?.model?.kind === 'tiny-seeded',
    kind: provenance?.model?.kind ?? null,
    degenerate,
    allDegenerate,
  };
}

/**
 * The Interpretation section as Markdown paragraphs, written from the numbers: an axis is claimed
 * only when a |t| count exceeds its null p99 with a small permutation p, without its near-constant
 * units; FWER/FDR survivors are stated; a tiny seeded model turns the report into a pipeline
 * check; degenerate data (every unit zero-variance or near-constant) get no claim at all.
 */
export function renderInterpretation(
  results: ProbeResults,
  provenance: RunProvenance | undefined,
  options: InterpretationOptions = {},
): readonly string[] {
  const verdict = judge(results, provenance, options);
  const countAlpha = options.countAlpha ?? 0.01;
  const unitAlpha = options.unitAlpha ?? 0.05;
  const paragraphs: string[] = [];
  const kind = provenance?.model?.kind;
  if (kind === 'tiny-seeded') {
    paragraphs.push(
      '**This run used the tiny seeded-random model, not a trained model.** Its weights are random, so this ' +
        'report is a pipeline check, not a finding: the numbers below show that the probe runs end to end and ' +
        'say nothing about how any trained model represents the conditions.',
    );
  } else if (kind === 'random-init-control') {
    paragraphs.push(
      '**This run is the random-init control**: the architecture of the probed model with untrained weights. ' +
        'Any effect here comes from the prompts themselves (their tokens and lengths) passing through an ' +
        'untrained network, and is the baseline a trained model has to beat.',
    );
  }
  if (verdict.allDegenerate) {
    paragraphs.push(allDegenerateParagraph(results, verdict.degenerate));
    return paragraphs;
  }
  paragraphs.push(countsParagraph(results, verdict, countAlpha));
  const nearConstant = nearConstantParagraph(results, verdict);
  if (nearConstant) paragraphs.push(nearConstant);
  paragraphs.push(multipleTestingParagraph(results, verdict, unitAlpha));
  const reliability = reliabilityParagraph(results);
  if (reliability) paragraphs.push(reliability);
  const top = topBlocks(results, 1)[0];
  // Block maxima include near-constant units; where the largest other |t| sits is said in their paragraph instead.
  if (verdict.axisSupported && verdict.degenerate.nearConstant.length === 0 && top && top.maxAbsT !== null) {
    paragraphs.push(
      `The strongest block is ${escapeInline(top.name)} (max |t| ${formatStatistic(top.maxAbsT)}, ` +
        `${formatCount(top.countAbsTOver3)} of ${formatCount(top.units)} units over |t| > 3). ` +
        'Where in the network the difference concentrates is descriptive: block maxima are not separately tested.',
    );
  }
  if (results.zeroVarianceUnits > 0) {
    paragraphs.push(
      `${units(results.zeroVarianceUnits)} had identical differences in every pair (zero variance); ` +
        'their t and d are undefined and they are left out of every count.',
    );
  }
  return paragraphs;
}

/** Every unit is zero-variance or near-constant: say so, and claim nothing. */
function allDegenerateParagraph(results: ProbeResults, degenerate: DegenerateUnits): string {
  const zero = degenerate.zeroVariance;
  const near = degenerate.nearConstant.length;
  const zeroText = 'zero variance (the same difference in every pair)';
  const nearText = `near-constant (the same difference in every pair to within rounding; |t| up to ${formatStatistic(degenerate.nearConstantMaxAbsT)})`;
  const which =
    near === 0
      ? `All ${units(results.nUnits)} have ${zeroText}: they have no t or d, so there is nothing to test.`
      : zero === 0
        ? `All ${units(results.nUnits)} are ${nearText}. Their t and d measure the precision of the numbers, not an effect.`
        : `Of ${units(results.nUnits)}, ${formatCount(zero)} have ${zeroText} and ${formatCount(near)} are ${nearText}. Their t and d measure the precision of the numbers, not an effect.`;
  return (
    `**The data are degenerate: no unit's differences vary from pair to pair beyond rounding.** ${which} The threshold counts, ` +
    'p-values and reliability carry no evidence about the two conditions, and no axis is claimed. Identical ' +
    'conditions, a constant offset between a and b, or values computed at low precision and saved at a higher one ' +
    'give data like these; check the activations before reading anything into them.'
  );
}

/** Near-constant units among others: how many, how large their t, what the counts hold without them. */
function nearConstantParagraph(results: ProbeResults, verdict: Verdict): string | null {
  const { degenerate } = verdict;
  const k = degenerate.nearConstant.length;
  if (k === 0) return null;
  const criterion = results.nearConstant
    ? `their differences vary across pairs by no more than ${formatCount(results.nearConstant.roundoffs)} roundoffs of the values' ${escapeInline(results.nearConstant.precision)} precision, ` +
      `or by no more than 1/${formatCount(results.nearConstant.absD)} of their mean (|d_z| of ${formatCount(results.nearConstant.absD)} or more, which values computed in float32 cannot resolve)`
    : 'their differences vary across pairs by no more than 1/16,384 of their mean (|d_z| of 16,384 or more; these results predate the check that also weighs the values\' precision)';
  const inCounts = results.thresholds
    .map((th) => ({ th, beyond: nearConstantBeyond(results, degenerate, th) }))
    .filter(({ beyond }) => beyond > 0)
    .map(({ th, beyond }) => `${formatCount(beyond)} of the ${formatCount(th.observed)} with |${th.stat}| > ${formatThreshold(th.value)}`);
  const other = degenerate.resolvedMaxAbsT;
  return (
    `**${units(k)} ${k === 1 ? 'is' : 'are'} near-constant**: ${criterion}. Their t (|t| up to ${formatStatistic(degenerate.nearConstantMaxAbsT)}) ` +
    'compares a mean difference with rounding, not with pair-to-pair variation, and is not an effect size. ' +
    (inCounts.length > 0 ? `The threshold counts include them (${inCounts.join('; ')}). ` : '') +
    (other ? `The largest |t| among the other units is ${formatFixed(other.value, 2)} (unit ${formatCount(other.unit)}${groupOf(results, other.unit)}).` : 'No other unit has a t.')
  );
}

function countsParagraph(results: ProbeResults, verdict: Verdict, countAlpha: number): string {
  const tCounts = results.thresholds.filter((th) => th.stat === 't');
  if (tCounts.length === 0) return 'The results carry no |t| threshold counts, so no claim about an axis can be made.';
  const describe = (th: ThresholdResult) =>
    `|t| > ${formatThreshold(th.value)}: ${units(th.observed)} against a null p99 of ` +
    `${formatNullCount(th.nullP99)}${th.ratioToNullP99 !== null ? ` (${formatRatio(th.ratioToNullP99)})` : ''}, ` +
    `permutation p ${pText(th.p)}`;
  const level = formatThreshold(countAlpha);
  const supporting = tCounts.filter((th) => verdict.supporting.includes(th));
  const carried = tCounts.filter((th) => verdict.carriedByNearConstant.includes(th));
  const other = tCounts.filter((th) => !verdict.supporting.includes(th) && !carried.includes(th));
  const carriedText =
    carried.length > 0
      ? ` Above the null p99 only with the near-constant units counted, so no support: ${carried.map(describe).join('; ')}.`
      : '';
  if (!verdict.axisSupported) {
    const below = other.length > 0 ? `No other |t| threshold count exceeds its null p99 with p < ${level} (${other.map(describe).join('; ')}).` : '';
    if (carried.length > 0) return `${carriedText.trim()}${below ? ` ${below}` : ''} These results do not support a separable axis.`;
    return (
      `No |t| threshold count exceeds its null p99 with p < ${level} (${other.map(describe).join('; ')}). ` +
      'These results do not support a separable axis: the number of units with large |t| is what relabelling ' +
      'the pairs at random produces.'
    );
  }
  const subject = verdict.pipelineCheck
    ? 'the pipeline separates the two conditions on this model'
    : verdict.kind === 'random-init-control'
      ? "the prompts' differences alone separate the two conditions in the untrained network"
      : verdict.kind === null
        ? 'these units carry the contrast between the two conditions'
        : 'the probed model carries the contrast between the two conditions as a separable axis';
  const rest =
    (other.length > 0
      ? ` Not above the null at this level: ${other.map(describe).join('; ')}.`
      : '') + carriedText;
  return (
    `More units exceed ${supporting.map((th) => `|t| > ${formatThreshold(th.value)}`).join(' and ')} than sign-flip ` +
    `permutations of the pair labels produce (${supporting.map(describe).join('; ')}).${rest} A count above its null p99 ` +
    `with p < ${level} supports the reading that ${subject}, at the level of the population of units. ` +
    'This is a statement about how many units differ, not about which ones.'
  );
}

function multipleTestingParagraph(results: ProbeResults, verdict: Verdict, unitAlpha: number): string {
  const level = formatThreshold(unitAlpha);
  const fwer =
    verdict.fwerUnits === null
      ? 'FWER-corrected (max-|t|) p-values were not computed'
      : `${formatCount(verdict.fwerUnits)} of ${formatCount(results.nUnits)} units survive family-wise error control (max-|t| permutation, p < ${level})`;
  const fdr =
    verdict.fdrUnits === null
      ? 'FDR q-values were not computed'
      : `${units(verdict.fdrUnits)} ${verdict.fdrUnits === 1 ? 'has' : 'have'} Benjamini-Hochberg q < ${level}`;
  const { count, exact, tail } = results.permutation;
  // Exact two-sided tests: each pattern and its negation give the same |t|, so at least 2 of 2^n tie.
  const smallest = exact ? (tail === 'two-sided' ? `2/${formatCount(count)}` : `1/${formatCount(count)}`) : `1/${formatCount(count + 1)}`;
  const floor = `With ${formatCount(count)} ${exact ? 'exact sign patterns' : 'random sign flips'}, the smallest attainable permutation p is ${smallest}.`;
  return `Per unit, ${fwer}, and ${fdr}. ${floor}`;
}

function reliabilityParagraph(results: ProbeResults): string | null {
  const sh = results.splitHalf;
  if (sh === null || sh.median === null) return null;
  const chance = sh.nullMedian === null ? '' : ` against a chance level of ${formatFixed(sh.nullMedian, 3)}`;
  const sb = sh.spearmanBrownMedian === null ? '' : ` (Spearman-Brown reliability of the full set: ${formatFixed(sh.spearmanBrownMedian, 2)})`;
  const verdict =
    sh.nullMedian !== null && sh.q1 !== null && sh.q1 > sh.nullMedian
      ? 'The pattern of which units respond is reproducible across independent halves of the pairs'
      : 'The pattern of which units respond is not clearly reproducible across halves of the pairs';
  return `${verdict}: the median split-half r of the per-unit t vectors is ${formatFixed(sh.median, 3)} over ${formatCount(sh.splits)} splits${chance}${sb}.`;
}

/** ", joint[3]": the group of a unit, or nothing when the results have no groups. */
function groupOf(results: ProbeResults, unit: number): string {
  const label = groupLabels(results)[unit];
  return label ? `, ${escapeInline(label)}` : '';
}

function countBelow(values: readonly (number | null)[], alpha: number): number | null {
  let defined = 0;
  let below = 0;
  for (const value of values) {
    if (value === null) continue;
    defined += 1;
    if (value < alpha) below += 1;
  }
  return defined === 0 ? null : below;
}

function formatNullCount(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : formatFixed(value, 1);
}

function pText(p: number): string {
  const text = formatP(p);
  return text.startsWith('<') ? text : `= ${text}`;
}

/** "1 unit", "3,221 units". */
function units(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'unit' : 'units'}`;
}
