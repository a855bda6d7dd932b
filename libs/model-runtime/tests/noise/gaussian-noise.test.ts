import { referenceXoshiroWords } from '@moral-plantain/references';
import { describe, expect, it } from 'vitest';
import { gaussianNoise } from '../../src/index.js';

describe('seeded noise', () => {
  it('keeps the noise every earlier release drew for a seed', () => {
    // Pinned from the implementation before the PRNG had one owner (formats): a change here changes every probe's activations.
    expect(Array.from(gaussianNoise(5, 4))).toEqual([0.509268581867218, 0.4769488573074341, 0.8074986338615417, 0.04686063155531883]);
  });

  it('applies Box-Muller to word pairs: r cos then r sin, rounded to float32', () => {
    const words = referenceXoshiroWords(5, 6);
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
    expect(() => gaussianNoise(2 ** 32, 4)).toThrow(/seed must be an integer from 0 to 4294967295/);
  });
});
