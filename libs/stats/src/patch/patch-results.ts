import type { PatchTestResult } from './patch-test.js';

/** Identifier written in every patch results file (`patch.json`). */
export const PATCH_FORMAT = 'moral-plantain/patch@1';

/** The two directions of a paired patch: the a prompt patched toward b, and the b prompt toward a. */
export const PATCH_DIRECTIONS = ['a-to-b', 'b-to-a'] as const;

/** A patch direction. */
export type PatchDirection = (typeof PATCH_DIRECTIONS)[number];

/**
 * How the selected units are scaled: `match` sets each unit's RMS to the other condition's (the
 * factor is the ratio of the two conditions' RMS for that unit and pair, from the unpatched runs),
 * `zero` ablates them (scale 0), `factor` multiplies them by one fixed number.
 */
export type PatchMode = 'match' | 'zero' | 'factor';

/** How the units were chosen from the probe's results. */
export interface PatchSelection {
  /** `top-abs-t`: the k units of largest |t| for each k; `fwer`: FWER p below `alpha`; `explicit`: a given list. */
  readonly rule: 'top-abs-t' | 'fwer' | 'explicit';
  /** The FWER level (rule `fwer` only, else null). */
  readonly alpha: number | null;
}

/** One patched unit set in one mode, with its null and tests. */
export interface PatchEffectResult {
  /** How many units were patched together. */
  readonly k: number;
  readonly mode: PatchMode;
  /** The fixed factor (mode `factor`), 0 (mode `zero`) or null (mode `match`). */
  readonly factor: number | null;
  /** The patched units (unit numbers, as in the results), in selection order. */
  readonly units: readonly number[];
  /** Units per group (block) of the set, which every random set repeats: name, units taken, units in the group. */
  readonly groups: readonly { readonly name: string; readonly units: number; readonly of: number }[];
  /** log10 of the number of distinct random sets with those counts per group (0: the random sets are all this set). */
  readonly possibleSetsLog10: number;
  /** The fraction of the change reproduced, per pair and direction, against random sets. */
  readonly fraction: PatchTestResult;
  /** The size of the change |patched - base| relative to |target - base|, against random sets. */
  readonly change: PatchTestResult;
  /** Mean |ln factor| over the set's units, pairs and directions, and the same for the random sets (mode `match`; else null): how far the patch moved the units. */
  readonly scaleSize: { readonly observed: number; readonly nullMean: number } | null;
  /**
   * How well the patched units' RMS met the target in the patched pass (mode `match`; else null):
   * |achieved / target - 1| over the set's units, pairs and directions. Units downstream of other
   * patched units see changed inputs, so their RMS can miss the target the unpatched runs set.
   */
  readonly rmsMatch: { readonly median: number; readonly max: number } | null;
}

/** The content of `patch.json`: the causal test of a probe's units, as `moral-plantain patch` writes it. */
export interface PatchResults {
  readonly format: typeof PATCH_FORMAT;
  /** The measure, in words, with its formula. */
  readonly measure: string;
  readonly nPairs: number;
  readonly nUnits: number;
  /** Pair ids, in the order of every per-pair array. */
  readonly pairs: readonly string[];
  readonly directions: readonly PatchDirection[];
  readonly selection: PatchSelection;
  /** The matched random-set null: sets per effect, seed, PRNG, what the sets are matched by, the tail. */
  readonly null: { readonly sets: number; readonly seed: number; readonly prng: string; readonly matchedBy: 'group'; readonly tail: 'greater' };
  /** The across-pairs sign-flip test's settings. */
  readonly acrossPairs: { readonly permutations: number; readonly seed: number };
  /** The unpatched outputs: |b - a| per pair, in pair order. */
  readonly baseline: { readonly distances: readonly number[] };
  /** One entry per unit set and mode, by increasing k, then mode. */
  readonly effects: readonly PatchEffectResult[];
}
