import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dequantizeMatMulNBits, readBits } from '@moral-plantain/references';
import { quantizeBlockwise, quantizedWeightBytes, seededStream, type QuantizationOptions } from '../../src/index.js';

// Every check reads the quantized weight back with the reference dequantizer (written from the
// operator's documentation), never with the quantizer's own code.

const schemes: QuantizationOptions[] = [
  { bits: 8, blockSize: 128, symmetric: true },
  { bits: 8, blockSize: 32, symmetric: false },
  { bits: 4, blockSize: 128, symmetric: true },
  { bits: 4, blockSize: 16, symmetric: false },
];

/** Weights whose blocks exercise the edge cases: normal, all positive, an outlier, all zero, constant. */
function awkwardWeight(n: number, k: number, seed: number): Float32Array {
  const stream = seededStream(seed, 'awkward-weight');
  const w = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < k; j++) {
      const z = stream.normal();
      const kind = row % 5;
      w[row * k + j] = kind === 0 ? z * 0.02 : kind === 1 ? Math.abs(z) + 0.5 : kind === 2 ? (j === 7 ? 40 * z : z) : kind === 3 ? 0 : -0.75;
    }
  }
  return w;
}

/** The largest |w - w_hat| / (|scale| / 2) over the weight (0 for exactly represented weights), and the dequantized values. */
function worstError(w: Float32Array, n: number, k: number, options: QuantizationOptions): { ratio: number; absolute: number } {
  const q = quantizeBlockwise(w, n, k, options);
  const { weight, scaleOf } = dequantizeMatMulNBits({ k, n, bits: options.bits, blockSize: options.blockSize, data: q.data, scales: q.scales, ...(q.zeroPoints ? { zeroPoints: q.zeroPoints } : {}) });
  let ratio = 0;
  let absolute = 0;
  for (let i = 0; i < w.length; i++) {
    const error = Math.abs((w[i] as number) - (weight[i] as number));
    absolute = Math.max(absolute, error);
    const half = Math.abs(scaleOf[i] as number) / 2;
    ratio = Math.max(ratio, error === 0 ? 0 : error / half);
  }
  return { ratio, absolute };
}

describe('block-wise weight quantization (MatMulNBits layout)', () => {
  it.each(schemes)('keeps every weight within half its block scale, int$bits, blocks of $blockSize, symmetric $symmetric', (options) => {
    // k = 200 is not a multiple of any block size: the last block of each row is padded.
    const [n, k] = [25, 200];
    const { ratio } = worstError(awkwardWeight(n, k, 3), n, k, options);
    // |w - w_hat| <= |scale| / 2, up to float32 rounding of the product (scale x code) in the reference.
    expect(ratio).toBeLessThanOrEqual(1 + 1e-6);
    // A quantizer that rounded badly, or to the wrong level, would exceed it; one that is too coarse is caught below.
    expect(ratio).toBeGreaterThan(0.9);
  });

  it.each(schemes)('spends the levels on the block\'s range (no needlessly coarse scale), int$bits symmetric $symmetric', (options) => {
    const [n, k] = [40, 256];
    const w = awkwardWeight(n, k, 5);
    const q = quantizeBlockwise(w, n, k, options);
    const levels = 2 ** options.bits - 1;
    for (let row = 0; row < n; row++) {
      for (let b = 0; b < q.blocksPerRow; b++) {
        const block = w.subarray(row * k + b * options.blockSize, row * k + Math.min(k, (b + 1) * options.blockSize));
        const lo = Math.min(...block);
        const hi = Math.max(...block);
        const scale = Math.abs(q.scales[row * q.blocksPerRow + b] as number);
        // Symmetric: the larger extreme sits within half a step past the outermost level; asymmetric: the range (with 0) over 2^bits - 1 steps.
        const needed = options.symmetric ? Math.max(Math.abs(lo), Math.abs(hi)) / (2 ** (options.bits - 1) - 0.5) : (Math.max(hi, 0) - Math.min(lo, 0)) / levels;
        expect(scale).toBeLessThanOrEqual(needed * (1 + 1e-6) + 1e-30);
      }
    }
  });

  it('packs 4-bit codes two to a byte, first in the low nibble, and pads a short block with its zero point', () => {
    // One row, k = 20 in blocks of 16: the second block holds 4 weights and 12 codes of padding.
    const w = Float32Array.from({ length: 20 }, (_, j) => (j - 10) / 10);
    for (const symmetric of [true, false]) {
      const q = quantizeBlockwise(w, 1, 20, { bits: 4, blockSize: 16, symmetric });
      expect(q.data.length).toBe(2 * 8);
      const zero = symmetric ? 8 : readBits(q.zeroPoints as Uint8Array, 0, 1, 4);
      for (let j = 4; j < 16; j++) expect(readBits(q.data, 8, j, 4)).toBe(zero);
      // Codes rise with the weights within a block (a positive scale) or fall (a negative one), one level at a time at most per 0.1.
      const codes = Array.from({ length: 16 }, (_, j) => readBits(q.data, 0, j, 4));
      const steps = codes.slice(1).map((c, j) => c - (codes[j] as number));
      expect(steps.every((s) => s >= 0) || steps.every((s) => s <= 0)).toBe(true);
    }
  });

  it('quantizes a zero block to zero and a constant block exactly when asymmetric', () => {
    const zero = worstError(new Float32Array(64), 2, 32, { bits: 4, blockSize: 16, symmetric: true });
    expect(zero.absolute).toBe(0);
    const constant = quantizeBlockwise(new Float32Array(16).fill(-0.75), 1, 16, { bits: 8, blockSize: 16, symmetric: false });
    const back = dequantizeMatMulNBits({ k: 16, n: 1, bits: 8, blockSize: 16, data: constant.data, scales: constant.scales, zeroPoints: constant.zeroPoints as Uint8Array });
    expect(Array.from(back.weight, (v) => Math.abs(v + 0.75)).every((e) => e < 1e-6)).toBe(true);
  });

  it('holds the half-scale bound for any weights (property)', () => {
    const weights = fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 96 });
    fc.assert(
      fc.property(weights, fc.constantFrom(...schemes), (values, options) => {
        const w = Float32Array.from(values);
        const { ratio } = worstError(w, 1, w.length, { ...options, blockSize: Math.min(options.blockSize, 32) });
        return ratio <= 1 + 1e-6;
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('counts the bytes it writes', () => {
    for (const options of schemes) {
      const q = quantizeBlockwise(awkwardWeight(6, 200, 1), 6, 200, options);
      expect(q.data.byteLength + q.scales.byteLength + (q.zeroPoints?.byteLength ?? 0)).toBe(quantizedWeightBytes(6, 200, options));
    }
  });
});
