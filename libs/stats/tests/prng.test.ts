import { describe, expect, it } from 'vitest';
import { createPrng } from '../src/index.js';
import { shuffledIndices, xoshiro128StarStar } from '../src/prng.js';

describe('xoshiro128**', () => {
  it('matches the reference algorithm from state {1, 2, 3, 4}', () => {
    // Worked by hand from Blackman and Vigna's reference C code: rotl(s1 * 5, 7) * 9 per step.
    const prng = xoshiro128StarStar(Uint32Array.of(1, 2, 3, 4));
    expect([prng.nextUint32(), prng.nextUint32(), prng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('gives the same stream for the same seed and another for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 8 }, createPrng(seed).nextUint32);
    const a = createPrng(7);
    const first = Array.from({ length: 8 }, () => a.nextUint32());
    const b = createPrng(7);
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(first);
    expect(draw(8)).not.toEqual(first);
  });

  it('draws bounded integers uniformly and shuffles into permutations', () => {
    const prng = createPrng(1);
    const hits = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) hits[prng.nextBelow(5)]++;
    for (const h of hits) expect(Math.abs(h - 10_000)).toBeLessThan(500);
    const order = shuffledIndices(10, createPrng(3));
    expect([...order].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
