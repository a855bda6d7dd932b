import type { ProbeResults, ThresholdResult } from '@moral-plantain/stats';
import { escapeInline } from './markdown-text.js';
import { formatCount, formatFixed, formatP, formatRatio, formatThreshold } from './number-format.js';
import type { RunProvenance } from './run-provenance.js';
import { topBlocks } from './top-blocks.js';

/** Decision levels of the interpretation. */
export interface InterpretationOptions {
  /** A threshold count supports an axis only when its permutation p is below this. Default 0.01. */
  readonly countAlpha?: number;
  /** Level for the per-unit FWER (max-|t|) and FDR counts. Default 0.05. */
  readonly unitAlpha?: number;
}

/** What the numbers support, decided before any prose is written. */
export interface Verdict {
  /** Threshold counts above their null p99 with p < countAlpha. */
  readonly supporting: readonly ThresholdResult[];
  /** True when at least one |t| threshold count supports an axis. */
  readonly axisSupported: boolean;
  /** Units with pFwer < unitAlpha, or null when no FWER p-values were computed. */
  readonly fwerUnits: number | null;
  /** Units with qFdr < unitAlpha, or null when no FDR q-values were computed. */
  readonly fdrUnits: number | null;
  /** True when the run used the tiny seeded model or the random-weight control. */
  readonly pipelineCheck: boolean;
}

/** Decides what the results support: which counts beat their null, and how many units survive FWER / FDR. */
export function judge(results: ProbeResults, provenance: RunProvenance | undefined, options: InterpretationOptions = {}): Verdict {
  const countAlpha = options.countAlpha ?? 0.01;
  const unitAlpha = options.unitAlpha ?? 0.05;
  const supporting = results.thresholds.filter(
    (th) => th.observed > th.nullP99 && th.p < countAlpha,
  );
  return {
    supporting,
    axisSupported: supporting.some((th) => th.stat === 't'),
    fwerUnits: countBelow(results.units.pFwer, unitAlpha),
    fdrUnits: countBelow(results.units.qFdr, unitAlpha),
    pipelineCheck: provenance?.model?.kind === 'tiny-seeded',
  };
}

/**
 * The Interpretation section as Markdown paragraphs, written from the numbers: an axis is claimed
 * only when a |t| count exceeds its null p99 with a small permutation p; FWER/FDR survivors are
 * stated; a tiny seeded model turns the report into a pipeline check.
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
      '**This run used the tiny seeded-random model, not FLUX.2 [klein] 4B.** Its weights are random, so this ' +
        'report is a pipeline check, not a finding: the numbers below show that the probe runs end to end and ' +
        'say nothing about how any trained model represents the conditions.',
    );
  } else if (kind === 'random-init-control') {
    paragraphs.push(
      '**This run is the random-weight control**: the architecture of the probed model with untrained weights. ' +
        'Any effect here comes from the prompts themselves (their tokens and lengths) passing through an ' +
        'untrained network, and is the baseline a trained model has to beat.',
    );
  } else if (provenance?.model === undefined) {
    paragraphs.push('No run provenance was available, so the kind of model behind these numbers is unknown.');
  }
  paragraphs.push(countsParagraph(results, verdict, countAlpha));
  paragraphs.push(multipleTestingParagraph(results, verdict, unitAlpha));
  const reliability = reliabilityParagraph(results);
  if (reliability) paragraphs.push(reliability);
  const top = topBlocks(results, 1)[0];
  if (verdict.axisSupported && top && top.maxAbsT !== null) {
    paragraphs.push(
      `The strongest block is ${escapeInline(top.name)} (max |t| ${formatFixed(top.maxAbsT, 2)}, ` +
        `${formatCount(top.countAbsTOver3)} of ${formatCount(top.units)} units over |t| > 3). ` +
        'Where in the network the difference concentrates is descriptive: block maxima are not separately tested.',
    );
  }
  if (results.zeroVarianceUnits > 0) {
    paragraphs.push(
      `${units(results.zeroVarianceUnits)} had identical differences in every pair (zero variance); ` +
        'their t and d are undefined and they count as not exceeding any threshold.',
    );
  }
  return paragraphs;
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
  const other = tCounts.filter((th) => !verdict.supporting.includes(th));
  if (!verdict.axisSupported) {
    return (
      `No |t| threshold count exceeds its null p99 with p < ${level} (${other.map(describe).join('; ')}). ` +
      'These results do not support a separable axis: the number of units with large |t| is what relabelling ' +
      'the pairs at random produces.'
    );
  }
  const subject = verdict.pipelineCheck
    ? 'the pipeline separates the two conditions on this model'
    : 'the probed model carries the contrast between the two conditions as a separable axis';
  const rest =
    other.length > 0
      ? ` Not above the null at this level: ${other.map(describe).join('; ')}.`
      : '';
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
