import * as E from 'fp-ts/lib/Either.js';
import { toDense, type Matrix } from '../matrix.js';
import { pairedTestSync } from '../paired-test.js';
import type { Tail } from '../results.js';
import type { PatchStatsError } from './patch-stats-error.js';
import { setPermutationP, summarizeNull, type NullSummary } from './set-null-test.js';

/** A patch's effects: the chosen unit set's, and each random set's in the same layout. */
export interface PatchTestInput {
  /** The chosen set's effect per pair and direction (e.g. a-to-b, b-to-a): [pairs, directions]. */
  readonly observed: Matrix;
  /** The random sets' effects, one row per set, each row laid out as `observed` flattened: [sets, pairs x directions]. */
  readonly nulls: Matrix;
}

/** Options of `patchTest`; each has a default. */
export interface PatchTestOptions {
  /** Which direction counts as extreme. Default 'greater' (the chosen units do more than random ones). */
  readonly tail?: Tail;
  /** Sign flips of the across-pairs test (all 2^pairs patterns when no more). Default 10,000. */
  readonly permutations?: number;
  /** Seed of the across-pairs sign flips. Default 0. */
  readonly seed?: number;
}

/** The defaults of `patchTest`. */
export const PATCH_TEST_DEFAULTS = { tail: 'greater', permutations: 10_000, seed: 0 } as const;

/** A patch effect tested against its random-set null, and across pairs. */
export interface PatchTestResult {
  /** Mean effect of the chosen set over pairs and directions. */
  readonly observed: number;
  /** Mean effect per direction. */
  readonly byDirection: readonly number[];
  /** Per pair, the mean over directions. */
  readonly perPair: readonly number[];
  /** The chosen set's effects as given: [pairs][directions]. */
  readonly values: readonly (readonly number[])[];
  /** Per pair and direction, the mean effect of the random sets: [pairs][directions]. */
  readonly nullMeans: readonly (readonly number[])[];
  /** The same mean for each random set, summarized. */
  readonly null: NullSummary;
  /** Permutation p over the random sets: (1 + sets at least as extreme) / (1 + sets). */
  readonly p: number;
  /** Per pair: the chosen set's effect minus the random sets' mean effect on that pair, tested over pairs by sign flips. */
  readonly acrossPairs: AcrossPairs;
}

/** Whether the chosen set beats random sets pair by pair, not only on average. */
export interface AcrossPairs {
  /** Mean over pairs of (chosen - mean of random sets). */
  readonly meanExcess: number;
  /** Pairs where the excess is above 0 (below 0 for tail 'less'). */
  readonly pairsInDirection: number;
  readonly pairs: number;
  /** Sign-flip p of the mean excess (null with fewer than 2 pairs or no spread). */
  readonly p: number | null;
  /** Whether every sign pattern was enumerated. */
  readonly exact: boolean;
  /** Sign patterns in the null. */
  readonly permutations: number;
}

/**
 * Tests a patch effect against the matched random-set null: the chosen set's mean effect over
 * pairs and directions is compared with the same mean for each random set (permutation p, tail
 * 'greater' by default), and, so that one or two pairs cannot carry it, the per-pair excess over
 * the random sets' mean is tested across pairs with sign flips (the stats engine's paired test).
 * Reusable for any paired probe whose units can be patched.
 */
export function patchTest(input: PatchTestInput, options: PatchTestOptions = {}): E.Either<PatchStatsError, PatchTestResult> {
  const tail = options.tail ?? PATCH_TEST_DEFAULTS.tail;
  const { observed, nulls } = input;
  if (observed.shape.length !== 2 || nulls.shape.length !== 2) return E.left({ _tag: 'EffectsShape', reason: `observed has shape [${observed.shape.join(', ')}] and nulls [${nulls.shape.join(', ')}], both must be 2-D` });
  const [pairs, directions] = observed.shape as [number, number];
  const [sets, width] = nulls.shape as [number, number];
  if (pairs < 1 || directions < 1 || sets < 1) return E.left({ _tag: 'EffectsShape', reason: `${pairs} pairs, ${directions} directions and ${sets} random sets; each must be at least 1` });
  if (width !== pairs * directions) return E.left({ _tag: 'EffectsShape', reason: `a null row has ${width} values, the observed effects ${pairs * directions}` });
  if (observed.stride === undefined && observed.data.length !== pairs * directions) return E.left({ _tag: 'EffectsShape', reason: `observed has ${observed.data.length} values for shape [${pairs}, ${directions}]` });
  if (nulls.stride === undefined && nulls.data.length !== sets * width) return E.left({ _tag: 'EffectsShape', reason: `nulls has ${nulls.data.length} values for shape [${sets}, ${width}]` });
  const obs = toDense(observed).data;
  const nul = toDense(nulls).data;
  const bad = firstNonFinite(obs, directions) ?? firstNonFinite(nul, width, 'random set');
  if (bad !== null) return E.left({ _tag: 'NonFiniteEffect', where: bad });

  const mean = (values: Float64Array) => values.reduce((s, v) => s + v, 0) / values.length;
  const byDirection = Array.from({ length: directions }, (_, d) => mean(Float64Array.from({ length: pairs }, (_, i) => obs[i * directions + d]!)));
  const perPair = Array.from({ length: pairs }, (_, i) => mean(obs.subarray(i * directions, (i + 1) * directions)));
  const observedMean = mean(obs);
  const setMeans = Float64Array.from({ length: sets }, (_, s) => mean(nul.subarray(s * width, (s + 1) * width)));

  const values = Array.from({ length: pairs }, (_, i) => Array.from(obs.subarray(i * directions, (i + 1) * directions)));
  const nullMeans = Array.from({ length: pairs }, (_, i) =>
    Array.from({ length: directions }, (_, d) => {
      let sum = 0;
      for (let s = 0; s < sets; s++) sum += nul[s * width + i * directions + d]!;
      return sum / sets;
    }),
  );
  const excess = Float64Array.from(perPair, (v, i) => v - nullMeans[i]!.reduce((s, x) => s + x, 0) / directions);
  const across = acrossPairs(excess, tail, options);
  if (E.isLeft(across)) return across;
  return E.right({ observed: observedMean, byDirection, perPair, values, nullMeans, null: summarizeNull(setMeans), p: setPermutationP(observedMean, setMeans, tail), acrossPairs: across.right });
}

function acrossPairs(excess: Float64Array, tail: Tail, options: PatchTestOptions): E.Either<PatchStatsError, AcrossPairs> {
  const pairs = excess.length;
  const meanExcess = excess.reduce((s, v) => s + v, 0) / pairs;
  const pairsInDirection = excess.filter((v) => (tail === 'less' ? v < 0 : tail === 'greater' ? v > 0 : v !== 0)).length;
  const permutations = options.permutations ?? PATCH_TEST_DEFAULTS.permutations;
  if (pairs < 2) return E.right({ meanExcess, pairsInDirection, pairs, p: null, exact: false, permutations: 0 });
  const tested = pairedTestSync({ diff: { data: excess, shape: [pairs, 1] } }, { permutations, seed: options.seed ?? PATCH_TEST_DEFAULTS.seed, tail, splits: 0, thresholds: [], workers: 1 });
  if (E.isLeft(tested)) return E.left({ _tag: 'Statistics', errors: tested.left });
  const { units, permutation } = tested.right.results;
  return E.right({ meanExcess, pairsInDirection, pairs, p: units.pPermutation[0] ?? null, exact: permutation.exact, permutations: permutation.count });
}

/** Where the first non-finite value is, as "pair i, direction d" (or "random set s, ..."), or null. */
function firstNonFinite(values: Float64Array, rowWidth: number, row?: string): string | null {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return row ? `${row} ${Math.floor(i / rowWidth)}, value ${i % rowWidth}` : `pair ${Math.floor(i / rowWidth)}, direction ${i % rowWidth}`;
  }
  return null;
}
