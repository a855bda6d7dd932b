import type { DenseMatrix } from './matrix.js';

/**
 * Scales each unit's differences (a column of `diff`, in place) by the power of two that brings
 * its largest |difference| into [1, 2), and returns the exponents: unit u's values were divided by
 * 2^exponent[u]. Scaling by a power of two changes no rounding, so t, d and every count are
 * exactly those of the unscaled data wherever that stays in range, while squares of values near
 * 1e160 or 1e-170 no longer overflow or underflow.
 */
export function scaleUnits(diff: DenseMatrix): Int16Array {
  const { data, rows, cols } = diff;
  const maxAbs = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) maxAbs[c] = Math.max(maxAbs[c]!, Math.abs(data[r * cols + c]!));
  }
  const exponents = new Int16Array(cols);
  for (let c = 0; c < cols; c++) exponents[c] = maxAbs[c]! > 0 ? binaryExponent(maxAbs[c]!) : 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const e = exponents[c]!;
      if (e !== 0) data[r * cols + c] = timesPowerOfTwo(data[r * cols + c]!, -e);
    }
  }
  return exponents;
}

/** The e with 2^e <= x < 2^(e + 1), for a finite x > 0 (subnormals included). */
export function binaryExponent(x: number): number {
  let e = Math.floor(Math.log2(x));
  // log2 may round across a power of two; settle it exactly.
  while (timesPowerOfTwo(x, -e) >= 2) e++;
  while (timesPowerOfTwo(x, -e) < 1) e--;
  return e;
}

/** x * 2^e, exact whenever the result is a normal number, without overflow in between (|e| up to 2,100). */
export function timesPowerOfTwo(x: number, e: number): number {
  let value = x;
  let rest = e;
  while (rest > 1000) {
    value *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000) {
    value *= 2 ** -1000;
    rest += 1000;
  }
  return value * 2 ** rest;
}
