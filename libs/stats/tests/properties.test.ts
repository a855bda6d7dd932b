import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, it } from 'vitest';
import { pairedTestSync, type PairedTestOutput } from '../src/index.js';

const nPairs = 6;
const nUnits = 3;
/** Values on a grid of 1/64 plus a distinct offset per cell, so no unit has zero variance. */
const matrices = fc
  .array(fc.integer({ min: -640, max: 640 }), { minLength: 2 * nPairs * nUnits, maxLength: 2 * nPairs * nUnits })
  .map((ints) => {
    const values = ints.map((x, i) => x / 64 + i * 1e-3);
    return { a: values.slice(0, nPairs * nUnits), b: values.slice(nPairs * nUnits) };
  });
const shape = [nPairs, nUnits];
const options = { permutations: 2 ** nPairs, splits: 0 };

function run(a: number[], b: number[]): PairedTestOutput {
  const out = pairedTestSync({ a: { data: a, shape }, b: { data: b, shape } }, options);
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right;
}

const close = (x: number | null, y: number | null, rtol = 1e-9): boolean =>
  x === null || y === null ? x === y : Math.abs(x - y) <= rtol * Math.max(1, Math.abs(y));

describe('laws of the paired test', () => {
  it('swapping a and b negates t and d and keeps two-sided p-values', () => {
    fc.assert(
      fc.property(matrices, ({ a, b }) => {
        const ab = run(a, b).results.units;
        const ba = run(b, a).results.units;
        return ab.t.every((t, u) => close(t, ba.t[u] === null ? null : -ba.t[u]!)) &&
          ab.d.every((d, u) => close(d, ba.d[u] === null ? null : -ba.d[u]!)) &&
          ab.pPermutation.every((p, u) => close(p, ba.pPermutation[u]!)) &&
          ab.pFwer.every((p, u) => close(p, ba.pFwer[u]!));
      }),
      { numRuns: 60 },
    );
  });

  it('reordering the pairs changes nothing in exact mode', () => {
    fc.assert(
      fc.property(matrices, fc.infiniteStream(fc.nat()), ({ a, b }, randoms) => {
        const order = Array.from({ length: nPairs }, (_, i) => i);
        const it = randoms[Symbol.iterator]();
        for (let i = nPairs - 1; i > 0; i--) {
          const j = it.next().value % (i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        const permute = (x: number[]) => order.flatMap((row) => x.slice(row * nUnits, (row + 1) * nUnits));
        const base = run(a, b).results;
        const moved = run(permute(a), permute(b)).results;
        return base.units.t.every((t, u) => close(t, moved.units.t[u]!)) &&
          base.units.pFwer.every((p, u) => close(p, moved.units.pFwer[u]!)) &&
          base.units.pPermutation.every((p, u) => close(p, moved.units.pPermutation[u]!)) &&
          base.thresholds.every((th, k) => th.observed === moved.thresholds[k]!.observed && close(th.p, moved.thresholds[k]!.p));
      }),
      { numRuns: 60 },
    );
  });

  it('scaling both conditions by a positive factor leaves t and p unchanged', () => {
    fc.assert(
      fc.property(matrices, fc.constantFrom(1e-3, 0.5, 7, 1e4), ({ a, b }, k) => {
        const base = run(a, b).results.units;
        const scaled = run(a.map((x) => x * k), b.map((x) => x * k)).results.units;
        return base.t.every((t, u) => close(t, scaled.t[u]!)) && base.pPermutation.every((p, u) => close(p, scaled.pPermutation[u]!));
      }),
      { numRuns: 40 },
    );
  });
});
