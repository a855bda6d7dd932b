import { isBlockSize, type ErrorDescription } from '@moral-plantain/formats';
import { DEFAULT_QUANTIZATION_BLOCK_SIZE } from '../build-defaults.js';

/**
 * Weight-only quantization of a graph's linear layers at build time, as ONNX Runtime's
 * `com.microsoft` MatMulNBits runs them: each row of a weight (one output feature) is cut into
 * blocks of `blockSize` input features, each with its own float32 scale.
 */
export interface QuantizationOptions {
  /** Bits per weight: 8 or 4. */
  readonly bits: 4 | 8;
  /** Weights per block along the input dimension (a power of two of at least 16). Default `DEFAULT_QUANTIZATION_BLOCK_SIZE`, 128. */
  readonly blockSize: number;
  /**
   * True (the default, as ONNX Runtime's quantizer writes by default): no zero points, weights
   * (q - 2^(bits-1)) x scale. False: one zero point per block, weights (q - zero point) x scale.
   */
  readonly symmetric: boolean;
}

/** The names `--quantize` accepts, with their bits. */
export const QUANTIZATION_NAMES = { int8: 8, int4: 4 } as const;

/** A quantization name: `int8` or `int4`. */
export type QuantizationName = keyof typeof QUANTIZATION_NAMES;

/** Whether a string names a quantization (`int8`, `int4`). */
export function isQuantizationName(value: string): value is QuantizationName {
  return Object.hasOwn(QUANTIZATION_NAMES, value);
}

/** Quantization options that cannot be built: bits other than 8 or 4, or a block size MatMulNBits does not take. */
export interface QuantizationProblem {
  readonly _tag: 'InvalidQuantization';
  readonly option: 'bits' | 'blockSize';
  readonly value: unknown;
}

/** Every problem with quantization options (bits, block size). */
export function quantizationProblems(options: QuantizationOptions): QuantizationProblem[] {
  const problems: QuantizationProblem[] = [];
  if (options.bits !== 4 && options.bits !== 8) problems.push({ _tag: 'InvalidQuantization', option: 'bits', value: options.bits });
  if (!isBlockSize(options.blockSize)) problems.push({ _tag: 'InvalidQuantization', option: 'blockSize', value: options.blockSize });
  return problems;
}

/** What is wrong with quantization options, and what to do. */
export function describeQuantizationProblem(problem: QuantizationProblem): ErrorDescription {
  const value = JSON.stringify(problem.value) ?? String(problem.value);
  return problem.option === 'bits'
    ? { message: `Weights cannot be quantized to ${value} bits.`, hint: 'Quantize to int8 or int4 (--quantize int8 or --quantize int4).' }
    : { message: `The quantization block size ${value} is not one MatMulNBits takes.`, hint: `Give a power of two of at least 16, e.g. --quant-block-size ${DEFAULT_QUANTIZATION_BLOCK_SIZE}.` };
}
