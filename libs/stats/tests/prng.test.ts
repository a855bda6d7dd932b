import { createPrng } from '@moral-plantain/formats';
import { describe, expect, it } from 'vitest';
import { shuffledIndices } from '../src/shuffle.js';

describe('shuffledIndices', () => {
  it('draws every permutation of a small set about equally often', () => {
    const prng = createPrng(3);
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = Array.from(shuffledIndices(3, prng)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
});
