/** Name of the generator behind seeded weights and noise (recorded in provenance). */
export const SEEDED_PRNG_NAME = 'xoshiro128** seeded by SplitMix32, normals by Box-Muller';

/** A deterministic stream of uniform and standard normal numbers, identical on every platform. */
export interface SeededStream {
  /** Uniform in (0, 1]. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/** A stream for (seed, key): each key (e.g. a parameter name) gets its own stream, independent of order. */
export function seededStream(seed: number, key = ''): SeededStream {
  const state = new Uint32Array(4);
  // FNV-1a of the key, mixed with the seed, then SplitMix32 (Weyl step + MurmurHash3 finalizer).
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  let x = (seed ^ h) >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
  const nextUint32 = (): number => {
    const s1 = state[1];
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 11);
    return result;
  };
  const uniform = (): number => (nextUint32() + 1) / 4294967296;
  let spare = Number.NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const out = spare;
      spare = Number.NaN;
      return out;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
