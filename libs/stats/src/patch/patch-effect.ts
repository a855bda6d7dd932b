/** How far a patch moved an output from its base toward a target output. */
export interface PatchEffect {
  /** <p - x, y - x> / |y - x|^2: 0 when nothing moved, 1 when the change along y - x is all of it; null when y = x. */
  readonly fraction: number | null;
  /** |p - x|: the size of the change, in every direction. */
  readonly change: number;
  /** |y - x|: the size of the change a full swap would make. */
  readonly distance: number;
}

/**
 * The effect of a patch on an output (any flattened tensor): x the base output (the patched
 * prompt's, unpatched), y the target (the other prompt's, unpatched), p the patched output. The
 * fraction is the projection of the change p - x on the direction y - x, over the length of
 * y - x: the share of the x-to-y change the patch reproduces (it can be negative, or exceed 1).
 * Sums in float64.
 */
export function patchEffect(base: ArrayLike<number>, target: ArrayLike<number>, patched: ArrayLike<number>): PatchEffect {
  const n = base.length;
  if (target.length !== n || patched.length !== n) throw new RangeError(`patchEffect: lengths differ (${n}, ${target.length}, ${patched.length})`);
  let dot = 0;
  let distance2 = 0;
  let change2 = 0;
  for (let i = 0; i < n; i++) {
    const x = base[i]!;
    const d = target[i]! - x;
    const c = patched[i]! - x;
    dot += c * d;
    distance2 += d * d;
    change2 += c * c;
  }
  return { fraction: distance2 > 0 ? dot / distance2 : null, change: Math.sqrt(change2), distance: Math.sqrt(distance2) };
}
