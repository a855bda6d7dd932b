import { attr, type GraphBuilder } from '@moral-plantain/hooks';
import type { QuantizationOptions } from './quantization-options.js';

/** Initializer names of a quantized weight, as ONNX Runtime's MatMulNBits quantizer names them after the float weight. */
export interface QuantizedWeightNames {
  /** `<weight>_Q<bits>`: the packed codes [n, blocks, blob], uint8. */
  readonly data: string;
  /** `<weight>_scales`: one float32 scale per block, [n x blocks]. */
  readonly scales: string;
  /** `<weight>_zero_points`: packed uint8 zero points (asymmetric only), else null. */
  readonly zeroPoints: string | null;
}

/** A quantized Linear weight stored in a graph: its initializers, shape and quantization. */
export interface QuantizedWeight extends QuantizedWeightNames {
  /** Output features. */
  readonly n: number;
  /** Input features. */
  readonly k: number;
  readonly options: QuantizationOptions;
}

/** The initializer names of weight `name` quantized with `options`. */
export function quantizedWeightNames(name: string, options: QuantizationOptions): QuantizedWeightNames {
  return { data: `${name}_Q${options.bits}`, scales: `${name}_scales`, zeroPoints: options.symmetric ? null : `${name}_zero_points` };
}

/**
 * Adds y = x W^T as one `com.microsoft` MatMulNBits node (attributes K, N, bits, block_size; no
 * accuracy_level, so ONNX Runtime computes in the activations' float type) and returns y, or writes
 * it to `output`. x is [..., K] float32; y is [..., N].
 */
export function matMulNBits(scope: GraphBuilder, x: string, weight: QuantizedWeight, output?: string): string {
  const inputs = [x, weight.data, weight.scales, ...(weight.zeroPoints === null ? [] : [weight.zeroPoints])];
  const attributes = { K: attr.int(weight.k), N: attr.int(weight.n), bits: attr.int(weight.options.bits), block_size: attr.int(weight.options.blockSize) };
  return scope.node('MatMulNBits', inputs, { domain: 'com.microsoft', attributes, outputs: output === undefined ? 1 : [output] })[0] as string;
}
