import type { DenseMatrix } from './matrix.js';

/** Per-unit summaries of paired differences [pairs x units]. */
export interface UnitDescriptives {
  readonly mean: Float64Array;
  /** Sample standard deviation (n - 1 denominator). */
  readonly sd: Float64Array;
  /** Paired t; NaN where the unit has zero variance. */
  readonly t: Float64Array;
  /** Cohen's d_z = mean / sd; NaN where the unit has zero variance. */
  readonly d: Float64Array;
  /** 1 where the differences are constant (to rounding), else 0. */
  readonly zeroVariance: Uint8Array;
}

/**
 * A unit counts as zero variance when its sd is at most this many unit roundoffs of the input
 * precision times its largest |a| + |b|: spread that small is what storing a and b rounded leaves
 * of a constant difference (a - 0.3 in float32 varies by about 1e-8 of |a|), not a signal.
 */
export const ZERO_VARIANCE_ROUNDOFFS = 8;

/**
 * Mean, sd, paired t and Cohen's d_z of each column, two-pass for accuracy at large offsets. A
 * unit whose sd is at most `zeroSd[u]` (or 0) has zero variance: no t or d.
 */
export function unitDescriptives(diff: DenseMatrix, zeroSd: Float64Array): UnitDescriptives {
  const { data, rows: n, cols: m } = diff;
  const mean = new Float64Array(m);
  const sd = new Float64Array(m);
  const t = new Float64Array(m);
  const d = new Float64Array(m);
  const zeroVariance = new Uint8Array(m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let u = 0; u < m; u++) mean[u] += data[row + u]!;
  }
  for (let u = 0; u < m; u++) mean[u] /= n;
  const ss = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let u = 0; u < m; u++) {
      const e = data[row + u]! - mean[u]!;
      ss[u] += e * e;
    }
  }
  const sqrtN = Math.sqrt(n);
  for (let u = 0; u < m; u++) {
    const s = Math.sqrt(ss[u]! / (n - 1));
    sd[u] = s;
    if (s <= zeroSd[u]! || s === 0) {
      zeroVariance[u] = 1;
      t[u] = Number.NaN;
      d[u] = Number.NaN;
    } else {
      d[u] = mean[u]! / s;
      t[u] = (mean[u]! / s) * sqrtN;
    }
  }
  return { mean, sd, t, d, zeroVariance };
}
