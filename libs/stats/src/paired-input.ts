import * as E from 'fp-ts/lib/Either.js';
import type { InputName, StatsError } from './errors.js';
import { subtractInPlace, toDense, type DenseMatrix, type Matrix } from './matrix.js';
import type { Precision } from './options.js';

/** Conditions a and b as [pairs x units], or their differences a - b. */
export type PairedInput = { readonly a: Matrix; readonly b: Matrix } | { readonly diff: Matrix };

/** How many non-finite entries a NonFinite error lists by position. */
const NON_FINITE_EXAMPLES = 5;

/** The differences a - b and what sets the smallest spread they can resolve. */
export interface PairedDifferences {
  readonly diff: DenseMatrix;
  /** Per unit: the largest |a| + |b| over the pairs (largest |diff| when only differences are given). */
  readonly magnitude: Float64Array;
  /** The storage type of the values: 'float32' when any input is a Float32Array. */
  readonly precision: Precision;
}

/** Checks shapes, lengths and values and returns the differences a - b; all problems at once. */
export function pairedDifferences(input: PairedInput): E.Either<StatsError[], PairedDifferences> {
  if ('diff' in input) {
    const problems = matrixProblems(input.diff, 'diff');
    if (problems.length > 0) return E.left(problems);
    const diff = toDense(input.diff);
    return E.right({ diff, magnitude: columnMaxAbs(diff), precision: precisionOf(input.diff) });
  }
  const problems = [...matrixProblems(input.a, 'a'), ...matrixProblems(input.b, 'b')];
  const layoutsValid = problems.every((p) => p._tag !== 'InvalidShape' && p._tag !== 'DataLength');
  if (layoutsValid && (input.a.shape[0] !== input.b.shape[0] || input.a.shape[1] !== input.b.shape[1])) {
    problems.push({ _tag: 'ShapeMismatch', a: input.a.shape, b: input.b.shape });
  }
  if (problems.length > 0) return E.left(problems);
  const a = toDense(input.a);
  const b = toDense(input.b);
  const magnitude = columnMaxSumAbs(a, b);
  const diff = subtractInPlace(a, b);
  // Finite a and b can still differ by more than the largest float64 (1e308 - -1e308).
  const overflow = nonFiniteProblem({ data: diff.data, shape: [diff.rows, diff.cols] }, 'diff');
  if (overflow !== null) return E.left([overflow]);
  const precision = precisionOf(input.a) === 'float32' || precisionOf(input.b) === 'float32' ? 'float32' : 'float64';
  return E.right({ diff, magnitude, precision });
}

/** 'float32' for values held in a Float32Array, else 'float64'. */
function precisionOf(m: Matrix): Precision {
  return m.data instanceof Float32Array ? 'float32' : 'float64';
}

/** Per column of a dense matrix: the largest |x|. */
function columnMaxAbs(m: DenseMatrix): Float64Array {
  const out = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) out[c] = Math.max(out[c]!, Math.abs(m.data[r * m.cols + c]!));
  }
  return out;
}

/** Per column of two dense matrices of one shape: the largest |a| + |b|. */
function columnMaxSumAbs(a: DenseMatrix, b: DenseMatrix): Float64Array {
  const out = new Float64Array(a.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let c = 0; c < a.cols; c++) {
      const i = r * a.cols + c;
      out[c] = Math.max(out[c]!, Math.abs(a.data[i]!) + Math.abs(b.data[i]!));
    }
  }
  return out;
}

/** A matrix's problems: its layout, or else too few pairs and non-finite values. */
function matrixProblems(m: Matrix, input: InputName): StatsError[] {
  const layout = layoutProblem(m, input);
  if (layout !== null) return [layout];
  const problems: StatsError[] = [];
  if (m.shape[0] < 2) problems.push({ _tag: 'TooFewPairs', purpose: 'a paired t test', required: 2, actual: m.shape[0] });
  const nonFinite = nonFiniteProblem(m, input);
  if (nonFinite !== null) problems.push(nonFinite);
  return problems;
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

/** The NonFinite problem of a matrix with a valid layout, or null when all its values are finite numbers. */
function nonFiniteProblem(m: Matrix, input: InputName): StatsError | null {
  const [rows, cols] = m.shape as [number, number];
  const [rowStride, colStride] = m.stride ?? [cols, 1];
  const offset = m.offset ?? 0;
  const examples: { pair: number; unit: number; value: number }[] = [];
  let count = 0;
  const note = (r: number, c: number, value: number): void => {
    count++;
    if (examples.length < NON_FINITE_EXAMPLES) examples.push({ pair: r, unit: c, value });
  };
  const data = m.data;
  if ((data instanceof Float64Array || data instanceof Float32Array) && rowStride === cols && colStride === 1) {
    // Contiguous float values (numbers only): one flat pass; x - x is 0 exactly when x is finite.
    const end = offset + rows * cols;
    for (let i = offset; i < end; i++) {
      const value = data[i];
      if (value - value !== 0) note(Math.floor((i - offset) / cols), (i - offset) % cols, value);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const value = data[offset + r * rowStride + c * colStride];
        if (!Number.isFinite(value)) note(r, c, value);
      }
    }
  }
  return count > 0 ? { _tag: 'NonFinite', input, count, examples } : null;
}
