import * as E from 'fp-ts/lib/Either.js';
import { createPrng } from '@moral-plantain/formats';
import type { PatchStatsError } from './patch-stats-error.js';

/** Options of `matchedRandomSets`. */
export interface MatchedSetsOptions {
  /** How many random sets. */
  readonly sets: number;
  /** Seed of the PRNG (xoshiro128** seeded by SplitMix32). */
  readonly seed: number;
}

/**
 * Random unit sets matched to `selected` by group: each set holds exactly as many units of each
 * group (block) as `selected` does, drawn uniformly without replacement from all of that group's
 * units (the selected ones included, so the selected set is one of the possible draws). Groups are
 * visited in the order they first appear in `groups`; each draw is a partial Fisher-Yates shuffle
 * of the group's units, carried over from set to set. Each set is sorted ascending. The same
 * groups, selection, count and seed give the same sets on any machine.
 */
export function matchedRandomSets(groups: readonly string[], selected: readonly number[], options: MatchedSetsOptions): E.Either<PatchStatsError, Int32Array[]> {
  if (!Number.isInteger(options.sets) || options.sets < 1 || options.sets > 1_000_000) return E.left({ _tag: 'InvalidSets', sets: options.sets });
  const unknown = selected.filter((u) => !Number.isInteger(u) || u < 0 || u >= groups.length);
  if (unknown.length > 0) return E.left({ _tag: 'UnknownUnits', units: unknown, nUnits: groups.length });
  const strata = groupStrata(groups, selected);
  const prng = createPrng(options.seed);
  const out: Int32Array[] = [];
  for (let s = 0; s < options.sets; s++) {
    const set = new Int32Array(selected.length);
    let filled = 0;
    for (const { members, take } of strata) {
      for (let i = 0; i < take; i++) {
        const j = i + prng.nextBelow(members.length - i);
        const chosen = members[j]!;
        members[j] = members[i]!;
        members[i] = chosen;
        set[filled++] = chosen;
      }
    }
    out.push(set.sort());
  }
  return E.right(out);
}

/** How many units of each group `selected` holds, in the order groups first appear (groups it has none of are left out). */
export function unitsPerGroup(groups: readonly string[], selected: readonly number[]): { readonly name: string; readonly units: number; readonly of: number }[] {
  return groupStrata(groups, selected).map(({ name, take, members }) => ({ name, units: take, of: members.length }));
}

/** log10 of the number of distinct matched sets: the product over groups of C(group size, units drawn from it). */
export function matchedSetCountLog10(groups: readonly string[], selected: readonly number[]): number {
  let total = 0;
  for (const { take, members } of groupStrata(groups, selected)) {
    for (let i = 0; i < take; i++) total += Math.log10((members.length - i) / (i + 1));
  }
  // Exact zero when every group is taken whole (one possible set); rounding cannot make it negative.
  return Math.max(0, total);
}

interface Stratum {
  readonly name: string;
  readonly members: Int32Array;
  readonly take: number;
}

function groupStrata(groups: readonly string[], selected: readonly number[]): Stratum[] {
  const members = new Map<string, number[]>();
  for (const [u, g] of groups.entries()) {
    const list = members.get(g);
    if (list) list.push(u);
    else members.set(g, [u]);
  }
  const take = new Map<string, number>();
  for (const u of selected) take.set(groups[u]!, (take.get(groups[u]!) ?? 0) + 1);
  return [...members].filter(([name]) => take.has(name)).map(([name, list]) => ({ name, members: Int32Array.from(list), take: take.get(name)! }));
}
