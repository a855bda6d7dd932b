/** Benjamini-Hochberg q-values; NaN entries stay NaN and do not count towards the number of tests. */
export function benjaminiHochberg(p: ArrayLike<number>): Float64Array {
  const q = new Float64Array(p.length).fill(Number.NaN);
  const defined: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) defined.push(i);
  defined.sort((i, j) => p[i] - p[j]);
  const m = defined.length;
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = defined[rank - 1];
    running = Math.min(running, (p[index] * m) / rank);
    q[index] = running;
  }
  return q;
}
