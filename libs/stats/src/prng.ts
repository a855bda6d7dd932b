/** Name of the generator behind every random draw of the stats engine (recorded in results). */
export const PRNG_NAME = 'xoshiro128** seeded by SplitMix32';

/** A deterministic 32-bit generator; the same seed gives the same stream on every platform. */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, bound), without modulo bias; bound <= 2^32. */
  nextBelow(bound: number): number;
}

/** xoshiro128** (Blackman and Vigna) with its 128-bit state filled by SplitMix32 from `seed`. */
export function createPrng(seed: number): Prng {
  const state = new Uint32Array(4);
  let x = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    // SplitMix32: a Weyl sequence through the MurmurHash3 finalizer.
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return xoshiro128StarStar(state);
}

/** xoshiro128** from a raw 128-bit state (not all zero); the state array is advanced in place. */
export function xoshiro128StarStar(s: Uint32Array): Prng {
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
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

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher-Yates shuffle of 0..n-1 drawn from `prng`. */
export function shuffledIndices(n: number, prng: Prng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = prng.nextBelow(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
