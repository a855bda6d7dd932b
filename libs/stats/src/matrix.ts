/**
 * A 2-D array of numbers [rows x columns]: a typed array with a shape, or a strided view. An
 * `ndarray` object (the `ndarray` package) over a typed array or an array is a Matrix as it is:
 * transposed, stepped (negative steps included) and sliced views are read in place, without a copy.
 */
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
  if (rowStride === cols && colStride === 1) {
    // Contiguous: one native copy from a typed array, else element by element.
    if (ArrayBuffer.isView(m.data)) data.set((m.data as Float64Array).subarray(offset, offset + data.length));
    else for (let i = 0; i < data.length; i++) data[i] = m.data[offset + i];
    return { data, rows, cols };
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) data[r * cols + c] = m.data[offset + r * rowStride + c * colStride];
  }
  return { data, rows, cols };
}

/** a - b element-wise for two dense matrices of one shape, written over a (which is returned). */
export function subtractInPlace(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < x.length; i++) x[i] -= y[i]!;
  return a;
}
