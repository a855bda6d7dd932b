/**
 * The q-quantile (0 <= q <= 1) of values with linear interpolation, bit for bit as NumPy's
 * `np.quantile(values, q)` (method 'linear', Hyndman-Fan 7).
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/** Like `quantile`, for values already sorted ascending. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const frac = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  if (frac === 0 || a === b) return a;
  // NumPy's lerp: from the nearer end, so that the result stays within [a, b] and is exact at the ends.
  return frac < 0.5 ? a + (b - a) * frac : b - (b - a) * (1 - frac);
}

/**
 * The median as `np.median` gives it: the middle value, or the mean of the two middle values
 * (correctly rounded: (a + b) / 2, not an interpolation with its extra rounding).
 */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const a = sorted[(n - 1) >> 1];
  const b = sorted[n >> 1];
  return midpoint(a, b);
}

/**
 * The q-quantile as one of the values itself: the smallest value x with at least a share q of the
 * values <= x (NumPy's `method='inverted_cdf'`). See `orderStatisticQuantileSorted`.
 */
export function orderStatisticQuantile(values: ArrayLike<number>, q: number): number {
  return orderStatisticQuantileSorted(Float64Array.from(values).sort(), q);
}

/**
 * The q-quantile of values already sorted ascending as one of the values itself: the smallest
 * value x with at least a share q of the values <= x (the inverse of the empirical CDF, NumPy's
 * `np.quantile(values, q, method='inverted_cdf')`, Hyndman-Fan 1). For counts it is a count.
 */
export function orderStatisticQuantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  // NumPy's index: n q - 1 when that is whole, else the next whole number up (computed as NumPy does).
  const index = n * q - 1;
  const whole = Math.floor(index);
  const k = index === whole ? whole : whole + 1;
  return sorted[Math.min(Math.max(k, 0), n - 1)];
}

function midpoint(a: number, b: number): number {
  if (a === b) return a;
  const sum = a + b;
  return Number.isFinite(sum) ? sum / 2 : a / 2 + b / 2;
}
