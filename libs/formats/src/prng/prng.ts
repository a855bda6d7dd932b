import { splitMix32State } from './seed-state.js';
import { xoshiro128StarStar } from './xoshiro128.js';

/** Name of the generator behind the statistics' sign flips and splits (recorded in results). */
export const PRNG_NAME = 'xoshiro128** seeded by SplitMix32';

/** A deterministic 32-bit generator; the same seed gives the same stream on every platform. */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, bound), without modulo bias; bound <= 2^32. */
  nextBelow(bound: number): number;
}

/** xoshiro128** with its state filled by SplitMix32 from `seed` (see `splitMix32State`). */
export function createPrng(seed: number): Prng {
  return prngFromState(splitMix32State(seed));
}

/** A `Prng` over xoshiro128** from a raw state (four words, not all zero), advanced in place. */
export function prngFromState(state: Uint32Array): Prng {
  const nextUint32 = xoshiro128StarStar(state);
  const nextBelow = (bound: number): number => {
    // Rejection sampling on the top of the range keeps every value equally likely.
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const r = nextUint32();
      if (r < limit) return r % bound;
    }
  };
  return { nextUint32, nextBelow };
}
