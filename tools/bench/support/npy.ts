/**
 * A float64 matrix as a NumPy .npy file (format 1.0): the magic string, the header dict padded
 * with spaces to a 64-byte boundary, then the little-endian values in C order.
 */
export function encodeNpyFloat64(data: Float64Array, shape: readonly number[]): Uint8Array {
  if (shape.reduce((n, s) => n * s, 1) !== data.length) throw new Error(`encodeNpyFloat64: shape [${shape.join(', ')}] does not hold ${data.length} values`);
  const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const prefix = 10; // magic (6) + version (2) + header length (2)
  const headerLength = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = `${dict.padEnd(headerLength - 1, ' ')}\n`;
  const out = new Uint8Array(prefix + headerLength + data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0, headerLength & 0xff, headerLength >> 8]);
  out.set(Buffer.from(header, 'latin1'), prefix);
  const values = new DataView(out.buffer, prefix + headerLength);
  for (let i = 0; i < data.length; i++) values.setFloat64(8 * i, data[i] as number, true);
  return out;
}
