import * as E from 'fp-ts/lib/Either.js';
import { canonicalJson, sha256 } from '@moral-plantain/formats';
import { checkUnitList, matchedRandomSets, topUnitsByAbsT, unitsBelowFwer, type PatchMode, type PatchSelection, type ProbeResults } from '@moral-plantain/stats';
import { PATCH_DEFAULTS } from '../patch-defaults.js';
import type { PatchError } from './patch-error.js';
import type { PatchSettings } from './patch-settings.js';

/** One unit set to patch, and the random sets it is compared with. */
export interface PlannedSet {
  readonly k: number;
  /** The selected units, in selection order. */
  readonly units: readonly number[];
  /** Random sets with as many units from each block, each sorted. */
  readonly nullSets: readonly Int32Array[];
}

/** One unit set patched in one mode. */
export interface PlannedEffect {
  /** Index into `PatchPlan.sets`. */
  readonly set: number;
  readonly mode: PatchMode;
  /** The fixed factor (`factor`), 0 (`zero`) or null (`match`). */
  readonly factor: number | null;
}

/** What a causal test patches: the unit sets, their random sets and the modes, in a fixed order. */
export interface PatchPlan {
  readonly selection: PatchSelection;
  readonly sets: readonly PlannedSet[];
  /** By set (increasing k), then mode: match, zero, the fixed factors as given. */
  readonly effects: readonly PlannedEffect[];
  readonly nullSets: number;
  readonly seed: number;
  /** What a reader should know about the plan (k values left out). */
  readonly notes: readonly string[];
  /** A hash of everything above: part of every pair's cache key. */
  readonly key: string;
}

/**
 * Plans a causal test from the run's results: selects the units (the top k by |t| for each k, or
 * those with FWER p below the level, or the listed ones), draws each set's matched random sets
 * (`matchedRandomSets`, seeded: the same plan on any machine) and lists the modes. k values of the
 * default list that exceed the run's units are left out with a note; a k given that does is an error.
 */
export function planPatch(settings: PatchSettings, results: ProbeResults, groups: readonly string[], seed: number): E.Either<PatchError, PatchPlan> {
  const notes: string[] = [];
  let selection: PatchSelection;
  const chosen: number[][] = [];
  if (settings.units !== null) {
    selection = { rule: 'explicit', alpha: null };
    const units = checkUnitList(settings.units, results.nUnits);
    if (E.isLeft(units)) return E.left({ _tag: 'Selection', error: units.left });
    chosen.push(units.right);
  } else if (settings.fwer !== null) {
    selection = { rule: 'fwer', alpha: settings.fwer };
    const units = unitsBelowFwer(results.units.pFwer, results.units.t, settings.fwer);
    if (E.isLeft(units)) return E.left({ _tag: 'Selection', error: units.left });
    chosen.push(units.right);
  } else {
    selection = { rule: 'top-abs-t', alpha: null };
    const defined = results.units.t.filter((t) => t !== null).length;
    const asked = [...new Set(settings.k ?? PATCH_DEFAULTS.k)].sort((a, b) => a - b);
    const ks = settings.k === null ? asked.filter((k) => k <= defined) : asked;
    if (ks.length < asked.length) notes.push(`k = ${asked.filter((k) => k > defined).join(', ')} left out: the run has ${defined} units with a t`);
    if (ks.length === 0) return E.left({ _tag: 'Selection', error: { _tag: 'KExceedsUnits', k: asked[0] ?? 0, units: defined } });
    for (const k of ks) {
      const units = topUnitsByAbsT(results.units.t, k);
      if (E.isLeft(units)) return E.left({ _tag: 'Selection', error: units.left });
      chosen.push(units.right);
    }
  }
  const sets: PlannedSet[] = [];
  for (const units of chosen) {
    const nullSets = matchedRandomSets(groups, units, { sets: settings.sets, seed });
    if (E.isLeft(nullSets)) return E.left({ _tag: 'Selection', error: nullSets.left });
    sets.push({ k: units.length, units, nullSets: nullSets.right });
  }
  const modes: { mode: PatchMode; factor: number | null }[] = [{ mode: 'match', factor: null }];
  if (settings.zero || settings.factors.includes(0)) modes.push({ mode: 'zero', factor: 0 });
  for (const factor of settings.factors) if (factor !== 0) modes.push({ mode: 'factor', factor });
  const effects = sets.flatMap((_, set) => modes.map((m) => ({ set, ...m })));
  const key = sha256(
    canonicalJson({
      selection,
      sets: sets.map((s) => ({ units: s.units, nullSets: sha256(canonicalJson(s.nullSets.map((n) => [...n]))) })),
      effects,
    }),
  );
  return E.right({ selection, sets, effects, nullSets: settings.sets, seed, notes, key });
}

/** Samples a pair's patch runs in order: the two unpatched prompts, then per effect the chosen set and each random set, prompt a then prompt b. */
export function samplesPerPair(plan: PatchPlan): number {
  return 2 + plan.effects.length * (plan.nullSets + 1) * 2;
}

/** The prompt (0 = a, 1 = b) and unit scales of sample `index` of a pair whose unpatched unit RMS are `a` and `b`. */
export function pairSample(plan: PatchPlan, index: number, a: Float64Array, b: Float64Array): { readonly prompt: 0 | 1; readonly scales: Float32Array; readonly units: ArrayLike<number> | null } {
  const scales = new Float32Array(a.length).fill(1);
  if (index < 2) return { prompt: index as 0 | 1, scales, units: null };
  const within = index - 2;
  const effect = plan.effects[Math.floor(within / ((plan.nullSets + 1) * 2))]!;
  const setIndex = Math.floor(within / 2) % (plan.nullSets + 1);
  const prompt = (within % 2) as 0 | 1;
  const set = plan.sets[effect.set]!;
  const units = setIndex === 0 ? set.units : set.nullSets[setIndex - 1]!;
  for (const u of units) scales[u] = effect.mode === 'match' ? matchFactor(prompt === 0 ? a[u]! : b[u]!, prompt === 0 ? b[u]! : a[u]!) : (effect.factor ?? 1);
  return { prompt, scales, units };
}

/** The factor that gives a unit of RMS `from` the RMS `to`: to / from, or 1 when that is undefined (from is 0). */
export function matchFactor(from: number, to: number): number {
  const factor = to / from;
  return from > 0 && Number.isFinite(factor) ? factor : 1;
}
