import type { PatchEffectResult, PatchResults } from '@moral-plantain/stats';
import { patchModeText } from './figures/dose-response.js';
import { codeSpan, escapeInline, tableRow } from './markdown-text.js';
import type { FigureLink } from './model-card.js';
import { formatCount, formatFixed, formatP, formatPercent, formatThreshold } from './number-format.js';
import type { RunProvenance } from './run-provenance.js';

/** What the card's Causal test section is made from: the patch results and the files to link. */
export interface CausalTestInput {
  readonly results: PatchResults;
  /** The dose-response figure, by path relative to the README. */
  readonly figure?: FigureLink;
  /** Relative path of the per-pair effects CSV. */
  readonly csvPath?: string;
  /** Relative path of patch.json. */
  readonly jsonPath?: string;
}

/** The level the section's sentences judge p-values at. */
const ALPHA = 0.05;

/**
 * The card's "Causal test" section: what was patched and how, the measure and its null, the
 * dose-response table, the figure and files, then, plainly, what the test shows and what it does
 * not. Every number comes from the patch results.
 */
export function renderCausalTest(input: CausalTestInput, provenance?: RunProvenance): string[] {
  const patch = input.results;
  const lines = ['## Causal test', method(patch, provenance), measure(patch), table(patch).join('\n')];
  const links: string[] = [];
  if (input.figure) links.push(`![${input.figure.title.replace(/[[\]\\]/g, '')}](${encodeURI(input.figure.path)})`);
  const files = [
    ...(input.csvPath ? [`per-pair effects: [${escapeInline(input.csvPath)}](${encodeURI(input.csvPath)})`] : []),
    ...(input.jsonPath ? [`every number: [${escapeInline(input.jsonPath)}](${encodeURI(input.jsonPath)})`] : []),
  ];
  if (files.length > 0) links.push(`${capitalize(files.join('; '))}.`);
  lines.push(...links);
  lines.push('**What this shows.**', shown(patch).join('\n'));
  lines.push('**What this does not show.**', notShown(patch, provenance).join('\n'));
  return lines;
}

function method(patch: PatchResults, provenance: RunProvenance | undefined): string {
  const protocol = provenance?.protocol;
  const setup = protocol
    ? `the probe's own inputs (noise seed ${formatThreshold(protocol.seed)}${protocol.resolution ? `, ${protocol.resolution.width}x${protocol.resolution.height} pixels` : ''}, timestep ${formatThreshold(protocol.timestep)}, the same prompts and text encoding)`
    : "the probe's own inputs (its noise seed, resolution, timestep and prompts)";
  const modes = [...new Set(patch.effects.map((e) => e.mode))];
  const scaling = [
    ...(modes.includes('match') ? ["RMS matching: each selected unit's channels are multiplied by the ratio of the other condition's RMS to this condition's, for that unit and pair, as the unpatched runs measured them (the probe's activations), so a unit's RMS becomes the other condition's"] : []),
    ...(modes.includes('zero') ? ['zero-ablation (scale 0)'] : []),
    ...patch.effects.filter((e) => e.mode === 'factor').map((e) => `a fixed factor of ${formatThreshold(e.factor ?? 1)}`).filter((v, i, all) => all.indexOf(v) === i),
  ];
  return (
    `The units ${selectionText(patch)} were patched at the inputs the probe measures, the input of each block's attention output projection, ` +
    `in a forward pass of the same single denoising step with ${setup}. Scaling: ${scaling.join('; ')}. ` +
    `All selected units of a set are scaled together, in one forward pass (a patched unit upstream changes what the units downstream receive; ` +
    `the factors are not recomputed). Each of the ${formatCount(patch.nPairs)} pairs is patched both ways: prompt a toward b, and prompt b toward a.`
  );
}

function measure(patch: PatchResults): string {
  return (
    `**Measure.** With A and B the model's prediction (${codeSpan('noise_pred')}) for prompts a and b unpatched and P the patched prediction of prompt a, ` +
    `the fraction of the a-to-b change reproduced is ${codeSpan('<P - A, B - A> / |B - A|^2')} (0: no change along b - a; 1: all of it; b to a likewise with the roles swapped), ` +
    `averaged over pairs and both directions. The size of the change, ${codeSpan('|P - A| / |B - A|')}, counts change in every direction. ` +
    `**Null**: ${formatCount(patch.null.sets)} random unit sets of the same size, each drawing as many units from each block as the selected set has (seed ${formatThreshold(patch.null.seed)}), patched the same way; ` +
    `p (random sets) = (1 + sets reproducing at least as much) / (1 + ${formatCount(patch.null.sets)}). ` +
    `p (across pairs) tests, with ${formatCount(patch.acrossPairs.permutations)} sign flips, whether the per-pair excess over the random sets' mean is above 0, so that one or two pairs cannot carry the result.`
  );
}

function table(patch: PatchResults): string[] {
  const rows = [
    tableRow(['units patched', 'scaling', 'fraction reproduced (a to b / b to a)', 'random sets: median [5th, 95th pct]', 'p (random sets)', 'pairs above the random sets', 'p (across pairs)', 'size of change (random sets)']),
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const effect of patch.effects) {
    const f = effect.fraction;
    rows.push(
      tableRow([
        effectLabel(patch, effect),
        patchModeText(effect),
        `${formatFixed(f.observed, 3)} (${f.byDirection.map((v) => formatFixed(v, 3)).join(' / ')})`,
        `${formatFixed(f.null.p50, 3)} [${formatFixed(f.null.p05, 3)}, ${formatFixed(f.null.p95, 3)}]`,
        formatP(f.p),
        `${formatCount(f.acrossPairs.pairsInDirection)} of ${formatCount(f.acrossPairs.pairs)}`,
        formatP(f.acrossPairs.p),
        `${formatFixed(effect.change.observed, 3)} (${formatFixed(effect.change.null.p50, 3)})`,
      ]),
    );
  }
  return rows;
}

function shown(patch: PatchResults): string[] {
  const lines = patch.effects.map((effect) => {
    const f = effect.fraction;
    const label = `${effectLabel(patch, effect)}, ${patchModeText(effect)}`;
    const reproduced = `reproduced ${formatPercent(f.observed)} of the change on average (random sets: median ${formatPercent(f.null.p50)})`;
    const beats = f.p < ALPHA && f.acrossPairs.p !== null && f.acrossPairs.p < ALPHA;
    if (effect.possibleSetsLog10 === 0) return `- ${label}: ${reproduced}; every random set is this set, so there is no null to beat.`;
    return beats
      ? `- ${label}: ${reproduced}, more than random units from the same blocks (${pText(f.p)} over ${formatCount(f.null.count)} sets; above them on ${f.acrossPairs.pairsInDirection} of ${f.acrossPairs.pairs} pairs, ${pText(f.acrossPairs.p)}).`
      : `- ${label}: ${reproduced}; not shown to exceed random units from the same blocks at the ${ALPHA} level (${pText(f.p)} over random sets, ${pText(f.acrossPairs.p)} across pairs).`;
  });
  const beating = patch.effects.filter((e) => e.fraction.p < ALPHA && e.fraction.acrossPairs.p !== null && e.fraction.acrossPairs.p < ALPHA).length;
  lines.push(`- In all, ${formatCount(beating)} of ${formatCount(patch.effects.length)} patched set${patch.effects.length === 1 ? '' : 's'} beat the random-set null on both tests at the ${ALPHA} level.`);
  return lines;
}

function notShown(patch: PatchResults, provenance: RunProvenance | undefined): string[] {
  const axis = provenance?.stimuli?.axis;
  const lines = [
    `- That the units represent ${axis ? escapeInline(axis) : 'the contrast'}, or any concept: the test shows what scaling them does to this step's prediction, not what they encode.`,
    "- Anything about images: the measure is on the velocity prediction of one denoising step, from one noise seed at one resolution, not on a sampled image.",
    `- That the effect holds beyond these ${formatCount(patch.nPairs)} pairs: ${patch.selection.rule === 'explicit' ? 'the units were given, and' : 'the units were selected on the same pairs the patch is measured on (no held-out pairs), and'} p is over random unit sets, conditional on these pairs, this noise and this step.`,
    "- Anything about single units: a set's units are scaled together, and each patched unit changes what the units after it receive.",
    "- That a small fraction means the units carry no information about the contrast: scaling changes only each unit's magnitude (one number per unit, over all tokens), not which of its channels or tokens are active.",
    '- Change in other directions: the fraction counts only change along b - a; the size of the change, beside it, counts all of it.',
  ];
  const matched = patch.effects.filter((e) => e.mode === 'match');
  const widest = matched.at(-1);
  if (widest?.rmsMatch) {
    lines.push(
      `- That every patched unit met its target: the factors come from the unpatched runs, so units downstream of other patched units can miss the other condition's RMS (for ${effectLabel(patch, widest)}: median deviation ${formatPercent(widest.rmsMatch.median)}, largest ${formatPercent(widest.rmsMatch.max)}).`,
    );
  }
  if (widest?.scaleSize) {
    lines.push(
      `- Equal-sized interventions: selected units differ most between the conditions, so their factors are further from 1 than random units' (mean |ln factor| ${formatFixed(widest.scaleSize.observed, 3)} against ${formatFixed(widest.scaleSize.nullMean, 3)} for ${effectLabel(patch, widest)}); the random-set null tests where the units are and how much they differ, together. Zero-ablation and fixed factors scale every set alike.`,
    );
  }
  if (patch.effects.length > 1) lines.push(`- Corrected p-values: the ${formatCount(patch.effects.length)} sets and modes are each tested at ${ALPHA}, without correction for testing several.`);
  if (provenance?.model?.kind === 'tiny-seeded') lines.unshift('- **Anything about a trained model**: the model is the tiny seeded-random one; these numbers check the pipeline.');
  return lines;
}

/** "top 10 by |t|", "3 units with FWER p < 0.05", "4 listed units". */
function effectLabel(patch: PatchResults, effect: PatchEffectResult): string {
  if (patch.selection.rule === 'top-abs-t') return `top ${formatCount(effect.k)} by \\|t\\|`;
  if (patch.selection.rule === 'fwer') return `${formatCount(effect.k)} unit${effect.k === 1 ? '' : 's'} with FWER p < ${formatThreshold(patch.selection.alpha ?? ALPHA)}`;
  return `${formatCount(effect.k)} listed unit${effect.k === 1 ? '' : 's'}`;
}

function selectionText(patch: PatchResults): string {
  const ks = [...new Set(patch.effects.map((e) => e.k))];
  if (patch.selection.rule === 'top-abs-t') return `of largest |t| (the top ${ks.map(formatCount).join(', ')})`.replace('|t|', '\\|t\\|');
  if (patch.selection.rule === 'fwer') return `with a family-wise error p below ${formatThreshold(patch.selection.alpha ?? ALPHA)} (${formatCount(ks[0] ?? 0)})`;
  return `listed for the test (${formatCount(ks[0] ?? 0)})`;
}

/** "p = 0.012", or "p < 0.001" below a thousandth. */
function pText(p: number | null): string {
  const text = formatP(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
