/** Benjamini-Hochberg q-values; NaN entries stay NaN and do not count towards the number of tests. */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  return stepUp(p, (i, m, rank) => (p[i] * m) / rank);
}

/**
 * Benjamini-Hochberg q-values of p-values given as fractions over one denominator (p = numerators[i]
 * / denominator, as sign-flip p-values are): each q is the exact fraction numerator m /
 * (denominator rank), rounded once, so grid p-values such as 1/1000 give q-values without the
 * noise of rounding p first. NaN numerators stay NaN and do not count towards the number of tests.
 */
export function benjaminiHochbergOfFractions(numerators: ArrayLike<number>, denominator: number): Float64Array {
  return stepUp(numerators, (i, m, rank) => {
    const top = numerators[i] * m;
    const bottom = denominator * rank;
    // Whole numbers below 2^53 multiply exactly: one rounding, in the division.
    return Number.isSafeInteger(top) && Number.isSafeInteger(bottom) ? top / bottom : ((numerators[i] / denominator) * m) / rank;
  });
}

/** q_(i) = min over k >= i of ratio(k), at most 1, in the order of the values (ascending p). */
function stepUp(values: ArrayLike<number>, ratio: (index: number, m: number, rank: number) => number): Float64Array {
  const q = new Float64Array(values.length).fill(Number.NaN);
  const defined: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) defined.push(i);
  defined.sort((i, j) => values[i] - values[j]);
  const m = defined.length;
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = defined[rank - 1];
    running = Math.min(running, ratio(index, m, rank));
    q[index] = running;
  }
  return q;
}
