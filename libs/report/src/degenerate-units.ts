import { isNearConstantD, type ProbeResults, type ThresholdResult } from '@moral-plantain/stats';

/** Units whose t and d do not measure an effect, as a card reports them. */
export interface DegenerateUnits {
  /** Near-constant units (differences the same in every pair to within rounding), ascending. */
  readonly nearConstant: readonly number[];
  /**
   * True when the list is the one results.json records; false for results written without it,
   * where only its |d_z| part can be applied (`isNearConstantD`).
   */
  readonly recorded: boolean;
  /** Units with zero variance (no t at all). */
  readonly zeroVariance: number;
  /** Units with a t that are not near-constant: the ones whose statistics mean something. */
  readonly resolved: number;
  /** The largest |t| among the near-constant units, or null when there are none. */
  readonly nearConstantMaxAbsT: number | null;
  /** The largest |t| among the resolved units and its unit, or null when there are none. */
  readonly resolvedMaxAbsT: { readonly value: number; readonly unit: number } | null;
}

/**
 * The degenerate units of a results object: the near-constant list it records (or, for results
 * written before that field, the units with |d_z| >= 16,384), the zero-variance count, and the
 * largest |t| on either side.
 */
export function degenerateUnits(results: ProbeResults): DegenerateUnits {
  const recorded = results.nearConstant !== undefined;
  const nearConstant = results.nearConstant?.units ?? results.units.d.flatMap((d, u) => (isNearConstantD(d) ? [u] : []));
  const flagged = new Set(nearConstant);
  let withT = 0;
  let nearConstantMaxAbsT: number | null = null;
  let resolvedMaxAbsT: { value: number; unit: number } | null = null;
  results.units.t.forEach((t, u) => {
    if (t === null) return;
    withT += 1;
    const abs = Math.abs(t);
    if (flagged.has(u)) nearConstantMaxAbsT = Math.max(nearConstantMaxAbsT ?? 0, abs);
    else if (resolvedMaxAbsT === null || abs > resolvedMaxAbsT.value) resolvedMaxAbsT = { value: abs, unit: u };
  });
  return {
    nearConstant,
    recorded,
    zeroVariance: results.zeroVarianceUnits,
    resolved: withT - nearConstant.filter((u) => results.units.t[u] !== null && results.units.t[u] !== undefined).length,
    nearConstantMaxAbsT,
    resolvedMaxAbsT,
  };
}

/** How many near-constant units a threshold count includes (beyond the threshold in the test's direction). */
export function nearConstantBeyond(results: ProbeResults, degenerate: DegenerateUnits, threshold: ThresholdResult): number {
  const column = threshold.stat === 't' ? results.units.t : results.units.d;
  const tail = results.permutation.tail;
  let count = 0;
  for (const u of degenerate.nearConstant) {
    const x = column[u];
    if (x === null || x === undefined) continue;
    if (tail === 'two-sided' ? Math.abs(x) > threshold.value : tail === 'greater' ? x > threshold.value : x < -threshold.value) count += 1;
  }
  return count;
}
