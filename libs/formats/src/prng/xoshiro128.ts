/**
 * xoshiro128** (Blackman and Vigna): the generator behind every seeded draw of moral-plantain.
 * Returns a function giving the next unsigned 32-bit word; `state` (four words, not all zero) is
 * advanced in place.
 */
export function xoshiro128StarStar(state: Uint32Array): () => number {
  return () => {
    const result = Math.imul(rotl(Math.imul(state[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (state[1] << 9) >>> 0;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
