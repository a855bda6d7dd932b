import { describe, expect, it } from 'vitest';
import { gaussianNoise, xoshiro128StarStar } from '../../src/index.js';

/** Reference SplitMix64 + xoshiro128** in BigInt arithmetic, written from the published algorithms. */
function referenceWords(seed: number, count: number): number[] {
  const M64 = (1n << 64n) - 1n;
  const M32 = 0xffffffffn;
  let sm = BigInt(seed);
  const s: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    sm = (sm + 0x9e3779b97f4a7c15n) & M64;
    let z = sm;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    z = z ^ (z >> 31n);
    s.push(z & M32, z >> 32n);
  }
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1]! * 5n) & M32, 7n) * 9n) & M32));
    const t = (s[1]! << 9n) & M32;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
  }
  return out;
}

describe('seeded noise', () => {
  it('matches a BigInt reference of SplitMix64-seeded xoshiro128**', () => {
    for (const seed of [0, 1, 42, 2 ** 53 - 1]) {
      const next = xoshiro128StarStar(seed);
      expect(Array.from({ length: 64 }, () => next())).toEqual(referenceWords(seed, 64));
    }
  });

  it('applies Box-Muller to word pairs: r cos then r sin, rounded to float32', () => {
    const words = referenceWords(5, 6);
    const noise = gaussianNoise(5, 5);
    for (let p = 0; p < 3; p++) {
      const r = Math.sqrt(-2 * Math.log((words[2 * p]! + 1) / 2 ** 32));
      const angle = (2 * Math.PI * words[2 * p + 1]!) / 2 ** 32;
      expect(noise[2 * p]).toBe(Math.fround(r * Math.cos(angle)));
      if (2 * p + 1 < 5) expect(noise[2 * p + 1]).toBe(Math.fround(r * Math.sin(angle)));
    }
  });

  it('is standard normal: mean 0, variance 1, kurtosis 3 within sampling error over 2^18 values', () => {
    const n = 1 << 18;
    const z = gaussianNoise(123, n);
    let m1 = 0;
    for (const v of z) m1 += v;
    m1 /= n;
    let m2 = 0;
    let m4 = 0;
    for (const v of z) {
      m2 += (v - m1) ** 2;
      m4 += (v - m1) ** 4;
    }
    m2 /= n;
    m4 /= n;
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m4 / m2 ** 2 - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
  });

  it('gives the same noise for the same seed and different noise for another, and rejects a bad seed', () => {
    expect(gaussianNoise(9, 100)).toEqual(gaussianNoise(9, 100));
    expect(gaussianNoise(9, 100)).not.toEqual(gaussianNoise(10, 100));
    expect(() => gaussianNoise(-1, 4)).toThrow(/seed/);
    expect(() => gaussianNoise(1.5, 4)).toThrow(/seed/);
  });
});
