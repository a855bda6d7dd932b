/**
 * Seeded standard-normal noise, the same on every platform:
 * - the seed (an integer 0 <= seed < 2^53) goes through SplitMix64; its first two 64-bit outputs,
 *   each split low word first, are the four 32-bit words of the xoshiro128** state;
 * - xoshiro128** (Blackman & Vigna) gives 32-bit words; a pair (a, b) gives
 *   u1 = (a + 1) / 2^32 in (0, 1] and u2 = b / 2^32 in [0, 1);
 * - Box-Muller: r = sqrt(-2 ln u1), values r cos(2 pi u2) then r sin(2 pi u2), in float64,
 *   stored rounded to float32 in that order.
 */
export function gaussianNoise(seed: number, count: number): Float32Array {
  const next = xoshiro128StarStar(seed);
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

/** A xoshiro128** generator of unsigned 32-bit words, its state seeded from `seed` by SplitMix64. */
export function xoshiro128StarStar(seed: number): () => number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer 0 <= seed < 2^53, not ${seed}`);
  const state = new Uint32Array(4);
  let sm = BigInt(seed);
  for (let k = 0; k < 2; k++) {
    sm = (sm + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = sm;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    z ^= z >> 31n;
    state[2 * k] = Number(z & 0xffffffffn);
    state[2 * k + 1] = Number(z >> 32n);
  }
  // An all-zero state would only ever give zeros; SplitMix64 never yields two zero outputs in a row, but guard anyway.
  if (state[0] === 0 && state[1] === 0 && state[2] === 0 && state[3] === 0) state[0] = 1;
  return () => {
    const s0 = state[0]!;
    const s1 = state[1]!;
    const s2 = state[2]!;
    const s3 = state[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    let n2 = (s2 ^ s0) >>> 0;
    let n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    n2 = (n2 ^ t) >>> 0;
    n3 = rotl(n3, 11);
    state[0] = n0;
    state[1] = n1;
    state[2] = n2;
    state[3] = n3;
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
