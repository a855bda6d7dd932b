import * as E from 'fp-ts/lib/Either.js';
import type { PatchStatsError } from './patch-stats-error.js';

/**
 * The k units of largest |t|, in that order (ties by unit number). Units whose t is undefined
 * (zero variance) are never chosen; k larger than the units with a t is an error.
 */
export function topUnitsByAbsT(t: readonly (number | null)[], k: number): E.Either<PatchStatsError, number[]> {
  if (!Number.isInteger(k) || k < 1) return E.left({ _tag: 'InvalidK', k });
  const ranked = rankByAbsT(t);
  if (k > ranked.length) return E.left({ _tag: 'KExceedsUnits', k, units: ranked.length });
  return E.right(ranked.slice(0, k));
}

/** Units whose FWER p is below `alpha`, by decreasing |t| (ties by unit number); none is an error. */
export function unitsBelowFwer(pFwer: readonly (number | null)[], t: readonly (number | null)[], alpha: number): E.Either<PatchStatsError, number[]> {
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) return E.left({ _tag: 'InvalidAlpha', alpha });
  const chosen = rankByAbsT(t).filter((u) => {
    const p = pFwer[u];
    return p !== null && p !== undefined && p < alpha;
  });
  if (chosen.length > 0) return E.right(chosen);
  const defined = pFwer.filter((p): p is number => p !== null);
  return E.left({ _tag: 'NoUnitBelowFwer', alpha, smallest: defined.length > 0 ? Math.min(...defined) : null });
}

/** An explicit unit list, checked against the number of units: every unit must exist and appear once. */
export function checkUnitList(units: readonly number[], nUnits: number): E.Either<PatchStatsError, number[]> {
  const unknown = units.filter((u) => !Number.isInteger(u) || u < 0 || u >= nUnits);
  if (unknown.length > 0) return E.left({ _tag: 'UnknownUnits', units: unknown, nUnits });
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const u of units) (seen.has(u) ? repeated : seen).add(u);
  if (repeated.size > 0) return E.left({ _tag: 'RepeatedUnits', units: [...repeated] });
  if (units.length === 0) return E.left({ _tag: 'InvalidK', k: 0 });
  return E.right([...units]);
}

/** Units with a defined t, by decreasing |t|, ties by unit number. */
function rankByAbsT(t: readonly (number | null)[]): number[] {
  const units: number[] = [];
  for (let u = 0; u < t.length; u++) if (t[u] !== null && t[u] !== undefined && Number.isFinite(t[u])) units.push(u);
  return units.sort((x, y) => Math.abs(t[y]!) - Math.abs(t[x]!) || x - y);
}
