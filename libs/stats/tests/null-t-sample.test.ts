import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createPrng } from '@moral-plantain/formats';
import { pairedTestSync, type PairedTestOutput } from '../src/index.js';
import { nullTSample } from '../src/null-t-sample.js';
import { randomSignPatterns } from '../src/sign-patterns.js';
import { directT, pairedData } from './data.js';

function run(a: Float64Array, b: Float64Array, nPairs: number, permutations: number): PairedTestOutput {
  const m = a.length / nPairs;
  const out = pairedTestSync({ a: { data: a, shape: [nPairs, m] }, b: { data: b, shape: [nPairs, m] } }, { permutations, splits: 0 });
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right;
}

const sorted = (values: ArrayLike<number>): number[] => Array.from(values).sort((x, y) => x - y);

describe('the permutation null of t', () => {
  it('is the t of every unit under every sign pattern when all of them fit (exact test, brute force)', () => {
    const nPairs = 8;
    const effects = [0, 0.4, 2, -1.5, 0, 3];
    const { a, b } = pairedData(nPairs, effects, 5);
    const { nulls } = run(a, b, nPairs, 1000);
    const expected: number[] = [];
    for (let f = 0; f < 2 ** nPairs; f++) {
      for (let u = 0; u < effects.length; u++) {
        expected.push(directT(Array.from({ length: nPairs }, (_, i) => ((f >> i) & 1 ? -1 : 1) * (a[i * effects.length + u]! - b[i * effects.length + u]!))));
      }
    }
    expect(nulls.nullTFlips).toBe(256);
    const got = sorted(nulls.nullT);
    const want = sorted(expected);
    expect(got).toHaveLength(want.length);
    got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 9));
  });

  it('takes the first sampled flips, every unit each, within the budget', () => {
    const nPairs = 25;
    const units = 7;
    const { a, b } = pairedData(nPairs, Array.from({ length: units }, (_, u) => u * 0.3), 9);
    const diff = { data: a.map((x, i) => x - b[i]!), rows: nPairs, cols: units };
    const patterns = randomSignPatterns(nPairs, 50, createPrng(3));
    const sample = nullTSample(diff, Uint32Array.from([0, 2, 3, 6]), patterns, 0, 4 * 10 + 3);
    expect(sample.flips).toBe(10);
    expect(sample.values).toHaveLength(40);
    for (let f = 0; f < 10; f++) {
      [0, 2, 3, 6].forEach((u, j) => {
        const flipped = Array.from({ length: nPairs }, (_, i) => {
          const flip = (patterns.codes[f * patterns.blocks + (i >> 3)]! >> (i & 7)) & 1;
          return (flip ? -1 : 1) * diff.data[i * units + u]!;
        });
        expect(sample.values[f * 4 + j]).toBeCloseTo(directT(flipped), 10);
      });
    }
  });

  it('leaves out flips under which a unit has no spread, and is empty without units', () => {
    // |difference| is the same in every pair: the flip that makes them all equal has no t.
    const nPairs = 3;
    const diff = { data: Float64Array.from([1, -1, 1]), rows: nPairs, cols: 1 };
    const all = { count: 8, nPairs, blocks: 1, codes: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]), exact: true };
    const sample = nullTSample(diff, Uint32Array.from([0]), all, 0);
    expect(sample.flips).toBe(8);
    // Flips 2 (-> 1, 1, 1) and 5 (-> -1, -1, -1) leave no spread.
    expect(sample.values).toHaveLength(6);
    expect(nullTSample(diff, new Uint32Array(0), all, 0)).toEqual({ values: new Float64Array(0), flips: 0 });
  });
});
