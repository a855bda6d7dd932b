import * as E from 'fp-ts/lib/Either.js';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { pairedTestSync } from '../src/index.js';
import { pairedData } from './data.js';

const pairs = 12;
const units = 9;
const effects = Array.from({ length: units }, (_, u) => (u % 3 === 0 ? 1 : 0));
const { a, b } = pairedData(pairs, effects, 5);
const options = { permutations: 400, seed: 2, splits: 20 };
const reference = pairedTestSync({ a: { data: a, shape: [pairs, units] }, b: { data: b, shape: [pairs, units] } }, options);

/** Stores row-major [pairs, units] values at the positions a view with these strides reads. */
function stored(values: Float64Array, layout: 'units-major' | 'reversed-rows' | 'padded'): ndarray.NdArray<Float64Array> {
  switch (layout) {
    case 'units-major': {
      // Column-major storage [units, pairs], seen as [pairs, units] through transpose.
      const data = new Float64Array(pairs * units);
      for (let p = 0; p < pairs; p++) for (let u = 0; u < units; u++) data[u * pairs + p] = values[p * units + u]!;
      return ndarray(data, [units, pairs]).transpose(1, 0);
    }
    case 'reversed-rows': {
      // Rows stored last to first, read back in order with a negative step.
      const data = new Float64Array(pairs * units);
      for (let p = 0; p < pairs; p++) data.set(values.subarray(p * units, (p + 1) * units), (pairs - 1 - p) * units);
      return ndarray(data, [pairs, units]).step(-1, 1);
    }
    case 'padded': {
      // A [pairs + 2, units + 3] block with the data at rows 1.., columns 2..: a sliced view with an offset.
      const data = new Float64Array((pairs + 2) * (units + 3)).fill(Number.NaN);
      for (let p = 0; p < pairs; p++) for (let u = 0; u < units; u++) data[(p + 1) * (units + 3) + u + 2] = values[p * units + u]!;
      return ndarray(data, [pairs + 2, units + 3]).lo(1, 2).hi(pairs, units);
    }
  }
}

describe('ndarray input', () => {
  it.each(['units-major', 'reversed-rows', 'padded'] as const)('reads a %s ndarray view in place and gives the results of the dense arrays', (layout) => {
    const va = stored(a, layout);
    const vb = stored(b, layout);
    expect(va.get(3, 4)).toBe(a[3 * units + 4]);
    expect(pairedTestSync({ a: va, b: vb }, options)).toEqual(reference);
    expect(pairedTestSync({ diff: stored(Float64Array.from(a, (x, i) => x - b[i]!), layout) }, options)).toEqual(reference);
  });

  it('refuses a view that reaches outside its data', () => {
    const short = ndarray(new Float64Array(pairs * units - 1), [pairs, units], [units, 1], 0);
    const out = pairedTestSync({ a: short, b: short }, options);
    expect(E.isLeft(out) && out.left.map((e) => e._tag)).toEqual(['DataLength', 'DataLength']);
  });
});
