import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { pairedTest, pairedTestSync } from '../src/index.js';
import { pairedData } from './data.js';

const effects = Array.from({ length: 403 }, (_, u) => (u % 10 === 0 ? 1.2 : u % 7 === 0 ? -0.9 : 0));
const { a, b } = pairedData(25, effects, 2);
const input = { a: { data: a, shape: [25, 403] }, b: { data: b, shape: [25, 403] } };
const groups = effects.map((_, u) => (u < 200 ? 'joint[0]' : 'single[0]'));

describe('the engine', () => {
  it('gives bit-identical results on worker threads and in this thread', async () => {
    for (const tail of ['two-sided', 'greater'] as const) {
      const sync = pairedTestSync(input, { permutations: 3000, seed: 9, tail, groups });
      const threaded = await pairedTest(input, { permutations: 3000, seed: 9, tail, groups, workers: 2 })();
      expect(E.isRight(threaded)).toBe(true);
      expect(threaded).toEqual(sync);
    }
  });

  it('finds planted effects and summarizes groups', () => {
    const out = pairedTestSync(input, { permutations: 2000, groups });
    if (E.isLeft(out)) throw new Error('unexpected errors');
    const { results } = out.right;
    const planted = effects.flatMap((e, u) => (e !== 0 ? [u] : []));
    const significant = results.units.pFwer.flatMap((p, u) => (p! < 0.05 ? [u] : []));
    expect(significant.every((u) => planted.includes(u))).toBe(true);
    expect(significant.length).toBeGreaterThan(planted.length / 2);
    expect(results.units.qFdr.filter((q) => q! < 0.05).length).toBeGreaterThanOrEqual(significant.length);
    expect(results.thresholds[0]!.ratioToNullP99!).toBeGreaterThan(3);
    expect(results.groups.map((g) => [g.name, g.units])).toEqual([['joint[0]', 200], ['single[0]', 203]]);
    const joint = results.units.t.slice(0, 200).map((t) => Math.abs(t!));
    expect(results.groups[0]!.maxAbsT).toBe(Math.max(...joint));
    expect(results.groups[0]!.countAbsTOver3).toBe(joint.filter((t) => t > 3).length);
    expect(results.maxAbsT.value).toBe(Math.max(...results.units.t.map((t) => Math.abs(t!))));
    expect(groups[results.maxAbsT.unit!]).toBe(results.maxAbsT.group);
  });

  it('measures split-half reliability against its sign-flip null', () => {
    const out = pairedTestSync(input, { permutations: 10, splits: 50 });
    if (E.isLeft(out)) throw new Error('unexpected errors');
    const split = out.right.results.splitHalf!;
    // Planted effects are shared by both halves; under random sign flips they are not.
    expect(split.median!).toBeGreaterThan(0.4);
    expect(Math.abs(split.nullMedian!)).toBeLessThan(0.15);
    expect(split.q1!).toBeLessThanOrEqual(split.median!);
    expect(split.q3!).toBeGreaterThanOrEqual(split.median!);
    expect(split.spearmanBrownMedian!).toBeCloseTo((2 * split.median!) / (1 + split.median!), 12);
    expect(out.right.nulls.splitHalfR).toHaveLength(50);
  });

  it('handles more than 32 pairs on the general path', () => {
    const many = pairedData(40, [2, 0, -0.3, 0, 0], 4);
    const out = pairedTestSync({ a: { data: many.a, shape: [40, 5] }, b: { data: many.b, shape: [40, 5] } }, { permutations: 500 });
    if (E.isLeft(out)) throw new Error('unexpected errors');
    expect(out.right.results.units.pFwer[0]).toBeCloseTo(1 / 501, 12);
    expect(out.right.results.units.pPermutation[1]!).toBeGreaterThan(0.01);
  });
});
