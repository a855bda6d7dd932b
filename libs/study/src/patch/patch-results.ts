import * as E from 'fp-ts/lib/Either.js';
import { PRNG_NAME } from '@moral-plantain/formats';
import {
  matchedSetCountLog10,
  PATCH_DIRECTIONS,
  PATCH_FORMAT,
  PATCH_TEST_DEFAULTS,
  patchTest,
  quantile,
  unitsPerGroup,
  type PatchEffectResult,
  type PatchResults,
  type PatchTestResult,
} from '@moral-plantain/stats';
import type { PairEntry } from './pair-entry.js';
import type { PatchError } from './patch-error.js';
import { matchFactor, type PatchPlan } from './patch-plan.js';

/** The measure as patch.json states it. */
export const PATCH_MEASURE =
  'fraction of the a-to-b change of the prediction (noise_pred) reproduced by the patch: <P - A, B - A> / |B - A|^2, with A and B the unpatched predictions of prompts a and b and P the patched prediction of prompt a (b to a: the roles swapped); change: |P - A| / |B - A|';

/** The run's unpatched unit RMS [pairs x units] per condition, row-major, and the units' blocks. */
export interface UnpatchedUnits {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly nUnits: number;
  readonly groups: readonly string[];
}

/**
 * The patch results from every pair's entry: per planned effect, the fraction of the change and its
 * relative size tested against the random sets (`patchTest`, tail greater, the plan's seed), the
 * set's blocks and how many distinct random sets they allow, and for mode match how far the
 * factors moved the units (mean |ln factor|) and how close the patched units came to their target.
 */
export function patchResults(plan: PatchPlan, pairs: readonly string[], entries: readonly PairEntry[], unpatched: UnpatchedUnits): E.Either<PatchError, PatchResults> {
  const n = entries.length;
  const effects: PatchEffectResult[] = [];
  for (const [e, planned] of plan.effects.entries()) {
    const set = plan.sets[planned.set]!;
    const tests: PatchTestResult[] = [];
    for (const measure of ['fraction', 'change'] as const) {
      const observed = new Float64Array(n * 2);
      const nulls = new Float64Array(plan.nullSets * n * 2);
      for (const [i, entry] of entries.entries()) {
        const values = entry.effects[e]![measure];
        for (let d = 0; d < 2; d++) {
          observed[i * 2 + d] = values[d]!;
          for (let s = 0; s < plan.nullSets; s++) nulls[s * n * 2 + i * 2 + d] = values[(s + 1) * 2 + d]!;
        }
      }
      const tested = patchTest({ observed: { data: observed, shape: [n, 2] }, nulls: { data: nulls, shape: [plan.nullSets, n * 2] } }, { seed: plan.seed });
      if (E.isLeft(tested)) return E.left({ _tag: 'Selection', error: tested.left });
      tests.push(tested.right);
    }
    const deviations = planned.mode === 'match' ? entries.flatMap((entry) => entry.effects[e]!.rmsDeviation ?? []) : [];
    effects.push({
      k: set.k,
      mode: planned.mode,
      factor: planned.factor,
      units: set.units,
      groups: unitsPerGroup(unpatched.groups, set.units),
      possibleSetsLog10: matchedSetCountLog10(unpatched.groups, set.units),
      fraction: tests[0]!,
      change: tests[1]!,
      scaleSize: planned.mode === 'match' ? { observed: meanAbsLogFactor([set.units], unpatched), nullMean: meanAbsLogFactor(set.nullSets, unpatched) } : null,
      rmsMatch: deviations.length > 0 ? { median: quantile(deviations, 0.5), max: Math.max(...deviations) } : null,
    });
  }
  return E.right({
    format: PATCH_FORMAT,
    measure: PATCH_MEASURE,
    nPairs: n,
    nUnits: unpatched.nUnits,
    pairs,
    directions: [...PATCH_DIRECTIONS],
    selection: plan.selection,
    null: { sets: plan.nullSets, seed: plan.seed, prng: PRNG_NAME, matchedBy: 'group', tail: 'greater' },
    acrossPairs: { permutations: PATCH_TEST_DEFAULTS.permutations, seed: plan.seed },
    baseline: { distances: entries.map((entry) => entry.distance) },
    effects,
  });
}

/** Mean over the sets, their units and the pairs of |ln factor| of RMS matching (the same both ways). */
function meanAbsLogFactor(sets: readonly ArrayLike<number>[], unpatched: UnpatchedUnits): number {
  const pairs = unpatched.a.length / unpatched.nUnits;
  let sum = 0;
  let count = 0;
  for (const set of sets) {
    for (let i = 0; i < pairs; i++) {
      for (let j = 0; j < set.length; j++) {
        const at = i * unpatched.nUnits + set[j]!;
        sum += Math.abs(Math.log(matchFactor(unpatched.a[at]!, unpatched.b[at]!)));
        count++;
      }
    }
  }
  return count > 0 ? sum / count : 0;
}
