import { isSeed, SEED_RANGE, splitMix64State, xoshiro128StarStar } from '@moral-plantain/formats';

/**
 * Seeded standard-normal noise, the same on every platform:
 * - the seed goes through SplitMix64; its first two 64-bit outputs, each split low word first,
 *   are the four 32-bit words of the xoshiro128** state;
 * - xoshiro128** (Blackman & Vigna) gives 32-bit words; a pair (a, b) gives
 *   u1 = (a + 1) / 2^32 in (0, 1] and u2 = b / 2^32 in [0, 1);
 * - Box-Muller: r = sqrt(-2 ln u1), values r cos(2 pi u2) then r sin(2 pi u2), in float64,
 *   stored rounded to float32 in that order.
 * Throws a RangeError for a seed outside `SEED_RANGE` (callers validate seeds first).
 */
export function gaussianNoise(seed: number, count: number): Float32Array {
  if (!isSeed(seed)) throw new RangeError(`seed must be ${SEED_RANGE}, not ${seed}`);
  const next = xoshiro128StarStar(splitMix64State(seed));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = (next() + 1) / 4294967296;
    const u2 = next() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    out[i] = r * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = r * Math.sin(angle);
  }
  return out;
}
