/**
 * The xoshiro128** state of a 32-bit seed: four successive SplitMix32 outputs (a Weyl sequence
 * with step 0x9e3779b9 through the MurmurHash3 finalizer).
 */
export function splitMix32State(seed: number): Uint32Array {
  const state = new Uint32Array(4);
  let x = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return state;
}

/**
 * The xoshiro128** state of a seed 0 <= seed < 2^53: its first two SplitMix64 outputs, each split
 * low word first.
 */
export function splitMix64State(seed: number): Uint32Array {
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
  return state;
}

/**
 * The xoshiro128** state of a (seed, key) pair: the seed mixed with the FNV-1a hash of the key, then
 * SplitMix32, so each key (a parameter name, say) has its own stream whatever the order of use.
 */
export function keyedState(seed: number, key: string): Uint32Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return splitMix32State((seed ^ h) >>> 0);
}
