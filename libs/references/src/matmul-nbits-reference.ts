/**
 * ONNX Runtime's `com.microsoft` MatMulNBits weights read back to floats, written from the
 * operator's documentation (ContribOperators.md) without looking at the quantizer: B is uint8
 * [N, n_blocks_per_col, blob_size] with blob_size = block_size x bits / 8, the codes of one block
 * packed bit after bit from the lowest bit of each byte (for 4 bits: first code in the low nibble);
 * scales are [N x n_blocks_per_col]; zero points, when given, are packed the same way, one row of
 * ceil(n_blocks_per_col x bits / 8) bytes per output feature; without them every zero point is
 * 2^(bits - 1). A weight is (code - zero point) x scale. Test code only.
 */

/** The inputs and attributes of one MatMulNBits node. */
export interface MatMulNBitsWeight {
  /** Attribute K: input features. */
  readonly k: number;
  /** Attribute N: output features. */
  readonly n: number;
  readonly bits: number;
  readonly blockSize: number;
  /** Input B, raw bytes. */
  readonly data: Uint8Array;
  readonly scales: Float32Array;
  /** Input zero_points (packed uint8), or undefined when the node has none. */
  readonly zeroPoints?: Uint8Array;
}

/** The dequantized weight in torch layout [N, K] (row n = output feature n), and each weight's block scale [N, K]. */
export interface DequantizedWeight {
  readonly weight: Float64Array;
  readonly scaleOf: Float64Array;
}

/** Reads a MatMulNBits weight back to floats. */
export function dequantizeMatMulNBits(w: MatMulNBitsWeight): DequantizedWeight {
  const blocks = Math.ceil(w.k / w.blockSize);
  const blob = (w.blockSize * w.bits) / 8;
  const zeroRow = Math.ceil((blocks * w.bits) / 8);
  if (w.data.length !== w.n * blocks * blob) throw new Error(`B has ${w.data.length} bytes, expected ${w.n} x ${blocks} x ${blob}`);
  if (w.scales.length !== w.n * blocks) throw new Error(`scales has ${w.scales.length} values, expected ${w.n * blocks}`);
  if (w.zeroPoints && w.zeroPoints.length !== w.n * zeroRow) throw new Error(`zero_points has ${w.zeroPoints.length} bytes, expected ${w.n * zeroRow}`);
  const weight = new Float64Array(w.n * w.k);
  const scaleOf = new Float64Array(w.n * w.k);
  for (let n = 0; n < w.n; n++) {
    for (let j = 0; j < w.k; j++) {
      const block = Math.floor(j / w.blockSize);
      const code = readBits(w.data, (n * blocks + block) * blob, j % w.blockSize, w.bits);
      const zero = w.zeroPoints ? readBits(w.zeroPoints, n * zeroRow, block, w.bits) : 2 ** (w.bits - 1);
      const scale = w.scales[n * blocks + block] as number;
      weight[n * w.k + j] = (code - zero) * scale;
      scaleOf[n * w.k + j] = scale;
    }
  }
  return { weight, scaleOf };
}

/** The `index`-th `bits`-bit value of a packed byte run starting at `offset`, lowest bits first. */
export function readBits(bytes: Uint8Array, offset: number, index: number, bits: number): number {
  let value = 0;
  for (let b = 0; b < bits; b++) {
    const bit = index * bits + b;
    const byte = bytes[offset + Math.floor(bit / 8)] as number;
    value |= ((byte >> (bit % 8)) & 1) << b;
  }
  return value;
}
