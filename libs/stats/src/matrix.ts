/** A 2-D array of numbers [rows x columns]: a typed array with a shape, or an ndarray-style strided view. */
export interface Matrix {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  /** Element strides per axis (ndarray convention); row-major contiguous when absent. */
  readonly stride?: readonly number[];
  /** Index of element [0, 0] in `data` (ndarray convention); 0 when absent. */
  readonly offset?: number;
}

/** A contiguous row-major float64 matrix the fast layer works on. */
export interface DenseMatrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Copies a valid 2-D `Matrix` into a contiguous row-major Float64Array (shape already checked). */
export function toDense(m: Matrix): DenseMatrix {
  const rows = m.shape[0];
  const cols = m.shape[1];
  const [rowStride, colStride] = m.stride ?? [cols, 1];
  const offset = m.offset ?? 0;
  const data = new Float64Array(rows * cols);
  if (offset === 0 && rowStride === cols && colStride === 1) {
    for (let i = 0; i < data.length; i++) data[i] = m.data[i];
    return { data, rows, cols };
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) data[r * cols + c] = m.data[offset + r * rowStride + c * colStride];
  }
  return { data, rows, cols };
}

/** a - b element-wise for two dense matrices of equal shape. */
export function difference(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] - b.data[i];
  return { data, rows: a.rows, cols: a.cols };
}
