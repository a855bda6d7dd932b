import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { describeStatsError, pairedTestSync, type StatsError } from '../src/index.js';

function errors(result: E.Either<StatsError[], unknown>): StatsError[] {
  if (E.isRight(result)) throw new Error('expected errors');
  return result.left;
}

describe('bad input', () => {
  it('reports every problem at once, with non-finite values located by pair and unit', () => {
    const a = new Float64Array(12).fill(1);
    a[1 * 4 + 2] = Number.NaN;
    a[2 * 4 + 0] = Infinity;
    const found = errors(
      pairedTestSync({ a: { data: a, shape: [3, 4] }, b: { data: new Float64Array(15), shape: [3, 5] } }, {
        permutations: -1,
        tail: 'sideways' as never,
      }),
    );
    expect(found.map((e) => e._tag).sort()).toEqual(['InvalidOption', 'InvalidOption', 'NonFinite', 'ShapeMismatch']);
    const nonFinite = found.find((e) => e._tag === 'NonFinite')!;
    expect(nonFinite).toMatchObject({ input: 'a', count: 2, examples: [{ pair: 1, unit: 2 }, { pair: 2, unit: 0, value: Infinity }] });
    expect(describeStatsError(nonFinite).message).toBe('A has 2 non-finite values: pair 1, unit 2 (NaN); pair 2, unit 0 (Infinity).');
    expect(found.map((e) => describeStatsError(e).message)).toContain("Option tail must be 'two-sided', 'greater' or 'less', got \"sideways\".");
  });

  it('needs 2 pairs for the test and 4 for split-half', () => {
    const one = errors(pairedTestSync({ diff: { data: [1, 2], shape: [1, 2] } }));
    expect(one).toContainEqual({ _tag: 'TooFewPairs', purpose: 'a paired t test', required: 2, actual: 1 });
    const three = errors(pairedTestSync({ diff: { data: [1, 2, 3], shape: [3, 1] } }));
    expect(three).toMatchObject([{ _tag: 'TooFewPairs', required: 4, actual: 3 }]);
    expect(E.isRight(pairedTestSync({ diff: { data: [1, 2, 4], shape: [3, 1] } }, { splits: 0 }))).toBe(true);
  });

  it('rejects wrong ranks, short data and group labels of the wrong length', () => {
    expect(errors(pairedTestSync({ diff: { data: [1, 2, 3], shape: [3] } }))).toMatchObject([{ _tag: 'InvalidShape' }]);
    expect(errors(pairedTestSync({ diff: { data: [1, 2, 3], shape: [2, 2] } }))).toMatchObject([{ _tag: 'DataLength', expected: 4, actual: 3 }]);
    const groups = errors(pairedTestSync({ diff: { data: [1, 2, 3, 5, 8, 13, 21, 34], shape: [4, 2] } }, { groups: ['x'] }));
    expect(groups).toEqual([{ _tag: 'GroupsLength', expected: 2, actual: 1 }]);
  });

  it('reads ndarray-style strided views', () => {
    // The transpose of a [2 x 4] buffer seen as [4 x 2] through strides.
    const data = [1, 2, 4, 7, 3, 1, 4, 1];
    const strided = pairedTestSync({ diff: { data, shape: [4, 2], stride: [1, 4] } }, { splits: 0 });
    const dense = pairedTestSync({ diff: { data: [1, 3, 2, 1, 4, 4, 7, 1], shape: [4, 2] } }, { splits: 0 });
    expect(strided).toEqual(dense);
  });
});
