import * as E from 'fp-ts/lib/Either.js';
import type { InputName, StatsError } from './errors.js';
import { subtractInPlace, toDense, type DenseMatrix, type Matrix } from './matrix.js';

/** Conditions a and b as [pairs x units], or their differences a - b. */
export type PairedInput = { readonly a: Matrix; readonly b: Matrix } | { readonly diff: Matrix };

/** How many non-finite entries a NonFinite error lists by position. */
const NON_FINITE_EXAMPLES = 5;

/** Checks shapes, lengths and values and returns the differences a - b; all problems at once. */
export function pairedDifferences(input: PairedInput): E.Either<StatsError[], DenseMatrix> {
  if ('diff' in input) {
    const diff = checkedDense(input.diff, 'diff');
    return diff.problems.length > 0 || diff.dense === null ? E.left(diff.problems) : E.right(diff.dense);
  }
  const a = checkedDense(input.a, 'a');
  const b = checkedDense(input.b, 'b');
  const problems = [...a.problems, ...b.problems];
  if (a.dense !== null && b.dense !== null && (input.a.shape[0] !== input.b.shape[0] || input.a.shape[1] !== input.b.shape[1])) {
    problems.push({ _tag: 'ShapeMismatch', a: input.a.shape, b: input.b.shape });
  }
  return problems.length > 0 || a.dense === null || b.dense === null ? E.left(problems) : E.right(subtractInPlace(a.dense, b.dense));
}

/** A matrix's problems, and its dense copy when its shape and length are valid (null otherwise). */
function checkedDense(m: Matrix, input: InputName): { readonly dense: DenseMatrix | null; readonly problems: StatsError[] } {
  const layout = layoutProblem(m, input);
  if (layout !== null) return { dense: null, problems: [layout] };
  const rows = m.shape[0];
  const problems: StatsError[] = [];
  if (rows < 2) problems.push({ _tag: 'TooFewPairs', purpose: 'a paired t test', required: 2, actual: rows });
  // Float arrays hold numbers only, so their dense copy shows the same non-finite values; other
  // arrays are checked as given (a string is not a number even where it would convert to one).
  const floats = m.data instanceof Float64Array || m.data instanceof Float32Array;
  const dense = toDense(m);
  const nonFinite = floats ? nonFiniteProblem(dense.data, dense.cols, input) : nonFiniteInView(m, input);
  if (nonFinite !== null) problems.push(nonFinite);
  return { dense, problems };
}

/** The shape or data-length problem of a matrix, or null when its view fits its data. */
function layoutProblem(m: Matrix, input: InputName): StatsError | null {
  const { shape } = m;
  if (shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s >= 0) || shape[1] === 0) {
    return { _tag: 'InvalidShape', input, shape };
  }
  const [rows, cols] = shape as [number, number];
  const [rowStride, colStride] = m.stride ?? [cols, 1];
  const offset = m.offset ?? 0;
  if (m.stride === undefined && offset === 0 && m.data.length !== rows * cols) {
    return { _tag: 'DataLength', input, expected: rows * cols, actual: m.data.length };
  }
  // The extreme indices a view touches (strides may be negative: a stepped-back ndarray view).
  const rowSpan = (rows - 1) * rowStride;
  const colSpan = (cols - 1) * colStride;
  const lowest = offset + Math.min(0, rowSpan) + Math.min(0, colSpan);
  const highest = offset + Math.max(0, rowSpan) + Math.max(0, colSpan);
  if (rows > 0 && (highest >= m.data.length || lowest < 0)) {
    return { _tag: 'DataLength', input, expected: highest + 1, actual: m.data.length };
  }
  return null;
}

/** The NonFinite problem of row-major values [rows x cols], or null when all are finite. */
function nonFiniteProblem(values: Float64Array, cols: number, input: InputName): StatsError | null {
  let count = 0;
  const examples: { pair: number; unit: number; value: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value - value !== 0) {
      count++;
      if (examples.length < NON_FINITE_EXAMPLES) examples.push({ pair: Math.floor(i / cols), unit: i % cols, value });
    }
  }
  return count > 0 ? { _tag: 'NonFinite', input, count, examples } : null;
}

/** The NonFinite problem of a matrix's values as given, or null when all are finite numbers. */
function nonFiniteInView(m: Matrix, input: InputName): StatsError | null {
  const [rows, cols] = m.shape as [number, number];
  const [rowStride, colStride] = m.stride ?? [cols, 1];
  const offset = m.offset ?? 0;
  let count = 0;
  const examples: { pair: number; unit: number; value: number }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = m.data[offset + r * rowStride + c * colStride];
      if (!Number.isFinite(value)) {
        count++;
        if (examples.length < NON_FINITE_EXAMPLES) examples.push({ pair: r, unit: c, value });
      }
    }
  }
  return count > 0 ? { _tag: 'NonFinite', input, count, examples } : null;
}
