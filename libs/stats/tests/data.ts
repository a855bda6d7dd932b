import { createPrng } from '@moral-plantain/formats';

/** Deterministic normal-ish test data [pairs x units]: unit u's differences have mean effects[u]. */
export function pairedData(nPairs: number, effects: readonly number[], seed: number): { a: Float64Array; b: Float64Array } {
  const prng = createPrng(seed);
  const normal = (): number => {
    // Box-Muller from two uniform draws in (0, 1].
    const u1 = (prng.nextUint32() + 1) / 2 ** 32;
    const u2 = prng.nextUint32() / 2 ** 32;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
  const m = effects.length;
  const a = new Float64Array(nPairs * m);
  const b = new Float64Array(nPairs * m);
  for (let i = 0; i < nPairs; i++) {
    for (let u = 0; u < m; u++) {
      const base = normal() * 3;
      a[i * m + u] = base + effects[u]! + normal();
      b[i * m + u] = base + normal() * 0.5;
    }
  }
  return { a, b };
}

/** Paired t of one column of differences, computed directly (two-pass). */
export function directT(values: readonly number[]): number {
  const n = values.length;
  const mean = values.reduce((s, x) => s + x, 0) / n;
  const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return mean / Math.sqrt(variance / n);
}
