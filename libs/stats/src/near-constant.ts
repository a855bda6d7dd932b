import type { Precision } from './options.js';

/**
 * A unit's differences count as constant to rounding when their sd is at most this many unit
 * roundoffs of the input precision times the unit's largest |a| + |b| (2^10: for float32 values,
 * a spread within their last 10 of 24 significand bits, about 6e-5 of their size). Spread that
 * small is what rounding in the arithmetic that produced the values leaves (long sums, fused
 * kernels, batch layouts), not pair-to-pair variation; `ZERO_VARIANCE_ROUNDOFFS` (8) is the
 * tighter bound below which no t is computed at all.
 */
export const NEAR_CONSTANT_ROUNDOFFS = 2 ** 10;

/**
 * |d_z| from which a unit's differences count as constant to rounding whatever precision they are
 * stored in: sd at most `NEAR_CONSTANT_ROUNDOFFS` float32 roundoffs of the mean difference itself,
 * |d_z| >= 2^24 / 2^10 = 16,384. Model activations are computed in float32 or coarser even when
 * they are stored as float64, so a difference constant to within that is a constant offset plus
 * rounding (the case of float32 values with a - b = 0.3 saved as float64, whose t is near 1e8).
 */
export const NEAR_CONSTANT_ABS_D = 2 ** 14;

/** The units whose differences are the same in every pair to within rounding (results.json `nearConstant`). */
export interface NearConstantUnits {
  /** Indices of the near-constant units, ascending; zero-variance units (no t) are not among them. */
  readonly units: readonly number[];
  /** The spread bound in unit roundoffs of `precision` times the unit's largest |a| + |b| (`NEAR_CONSTANT_ROUNDOFFS`). */
  readonly roundoffs: number;
  /** The precision the roundoffs are of: the stored values' (or the one given to the test). */
  readonly precision: Precision;
  /** The |d_z| from which a unit is near-constant whatever the precision (`NEAR_CONSTANT_ABS_D`). */
  readonly absD: number;
}

/**
 * Whether a d_z alone marks a unit near-constant (|d_z| >= `NEAR_CONSTANT_ABS_D`): the part of the
 * criterion a reader of results written without `nearConstant` can still apply.
 */
export function isNearConstantD(d: number | null): boolean {
  return d !== null && Math.abs(d) >= NEAR_CONSTANT_ABS_D;
}

/**
 * The near-constant units among those with a defined t: sd at most `spreadBound[u]` (the
 * `NEAR_CONSTANT_ROUNDOFFS` bound, on the same scale as `sd`) or |d_z| >= `NEAR_CONSTANT_ABS_D`.
 * Internal: inputs are valid and of one length.
 */
export function findNearConstantUnits(sd: Float64Array, spreadBound: Float64Array, d: Float64Array, zeroVariance: Uint8Array): number[] {
  const units: number[] = [];
  sd.forEach((spread, u) => {
    if (zeroVariance[u] !== 1 && (spread <= (spreadBound[u] ?? 0) || Math.abs(d[u] ?? 0) >= NEAR_CONSTANT_ABS_D)) units.push(u);
  });
  return units;
}
