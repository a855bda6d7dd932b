import * as E from 'fp-ts/lib/Either.js';
import type { InputName, StatsError } from './errors.js';
import { difference, toDense, type DenseMatrix, type Matrix } from './matrix.js';

/** Conditions a and b as [pairs x units], or their differences a - b. */
export type PairedInput = { readonly a: Matrix; readonly b: Matrix } | { readonly diff: Matrix };

/** How many non-finite entries a NonFinite error lists by position. */
const NON_FINITE_EXAMPLES = 5;

/** Checks shapes, lengths and values and returns the differences a - b; all problems at once. */
export function pairedDifferences(input: PairedInput): E.Either<StatsError[], DenseMatrix> {
  if ('diff' in input) {
    const problems = checkMatrix(input.diff, 'diff');
    return problems.length > 0 ? E.left(problems) : E.right(toDense(input.diff));
  }
  const problems = [...checkMatrix(input.a, 'a'), ...checkMatrix(input.b, 'b')];
  const shapesValid = problems.every((p) => p._tag !== 'InvalidShape' && p._tag !== 'DataLength');
  if (shapesValid && (input.a.shape[0] !== input.b.shape[0] || input.a.shape[1] !== input.b.shape[1])) {
    problems.push({ _tag: 'ShapeMismatch', a: input.a.shape, b: input.b.shape });
  }
  return problems.length > 0 ? E.left(problems) : E.right(difference(toDense(input.a), toDense(input.b)));
}

function checkMatrix(m: Matrix, input: InputName): StatsError[] {
  const { shape } = m;
  if (shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s >= 0) || shape[1] === 0) {
    return [{ _tag: 'InvalidShape', input, shape }];
  }
  const [rows, cols] = shape as [number, number];
  const [rowStride, colStride] = m.stride ?? [cols, 1];
  const offset = m.offset ?? 0;
  const last = offset + (rows - 1) * rowStride + (cols - 1) * colStride;
  if (m.stride === undefined && offset === 0 && m.data.length !== rows * cols) {
    return [{ _tag: 'DataLength', input, expected: rows * cols, actual: m.data.length }];
  }
  if (rows > 0 && (last >= m.data.length || offset < 0)) {
    return [{ _tag: 'DataLength', input, expected: last + 1, actual: m.data.length }];
  }
  const problems: StatsError[] = [];
  if (rows < 2) problems.push({ _tag: 'TooFewPairs', purpose: 'a paired t test', required: 2, actual: rows });
  const examples: { pair: number; unit: number; value: number }[] = [];
  let count = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = m.data[offset + r * rowStride + c * colStride];
      if (!Number.isFinite(value)) {
        count++;
        if (examples.length < NON_FINITE_EXAMPLES) examples.push({ pair: r, unit: c, value });
      }
    }
  }
  if (count > 0) problems.push({ _tag: 'NonFinite', input, count, examples });
  return problems;
}
