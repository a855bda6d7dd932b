/** The operator that quantized linear layers run as: ONNX Runtime's contrib `com.microsoft` MatMulNBits. */
export const QUANTIZED_LINEAR_OP = 'MatMulNBits';

/**
 * How a graph's linear layers were quantized at build time (weight-only, block-wise along the
 * input dimension), as `model.json` and `run.json` record it.
 */
export interface WeightQuantization {
  /** The operator the quantized layers run as: `MatMulNBits`. */
  readonly op: typeof QUANTIZED_LINEAR_OP;
  /** Bits per weight: 8 or 4. */
  readonly bits: 4 | 8;
  /** Weights per block along a layer's input dimension; each block has its own scale (and zero point). */
  readonly blockSize: number;
  /**
   * True: no zero points, MatMulNBits's implied 2^(bits - 1) (ONNX Runtime's quantizer's default);
   * false: one zero point per block, packed as the quantizer packs them.
   */
  readonly symmetric: boolean;
  /** Element type of the scales (that of the layers' activations): `float32`. */
  readonly scaleType: 'float32';
  /** The quantized layers, as module-path globs (`transformer_blocks.*.attn.to_q`, `*` for a block number). */
  readonly layers: readonly string[];
  /** How many linear layers were quantized. */
  readonly quantizedLinears: number;
  /** The linear layers kept in float (module paths), e.g. the embedders, the modulation and the output projection. */
  readonly floatLinears: readonly string[];
}

/** `int8` or `int4`: the name of a weight quantization's bit width. */
export function quantizationName(quantization: Pick<WeightQuantization, 'bits'>): string {
  return `int${quantization.bits}`;
}

/** A problem with a recorded weight quantization: the key (relative to the record) and what is wrong. */
export interface WeightQuantizationProblem {
  readonly key: string;
  readonly reason: string;
}

/** Checks a parsed weight quantization record, reporting every problem at once. */
export function checkWeightQuantization(value: unknown): { readonly value: WeightQuantization } | { readonly problems: readonly WeightQuantizationProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problems: [{ key: '', reason: 'must be an object' }] };
  const o = value as Record<string, unknown>;
  const problems: WeightQuantizationProblem[] = [];
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every((s) => typeof s === 'string' && s !== '');
  if (o.op !== QUANTIZED_LINEAR_OP) problems.push({ key: 'op', reason: `must be "${QUANTIZED_LINEAR_OP}"` });
  if (o.bits !== 4 && o.bits !== 8) problems.push({ key: 'bits', reason: 'must be 4 or 8' });
  if (!isBlockSize(o.blockSize)) problems.push({ key: 'blockSize', reason: 'must be a power of two of at least 16' });
  if (typeof o.symmetric !== 'boolean') problems.push({ key: 'symmetric', reason: 'must be true or false' });
  if (o.scaleType !== 'float32') problems.push({ key: 'scaleType', reason: 'must be "float32"' });
  if (!strings(o.layers)) problems.push({ key: 'layers', reason: 'must be an array of module paths' });
  if (!(Number.isSafeInteger(o.quantizedLinears) && (o.quantizedLinears as number) >= 0)) problems.push({ key: 'quantizedLinears', reason: 'must be a non-negative integer' });
  if (!strings(o.floatLinears)) problems.push({ key: 'floatLinears', reason: 'must be an array of module paths' });
  if (problems.length > 0) return { problems };
  return {
    value: {
      op: QUANTIZED_LINEAR_OP,
      bits: o.bits as 4 | 8,
      blockSize: o.blockSize as number,
      symmetric: o.symmetric as boolean,
      scaleType: 'float32',
      layers: o.layers as string[],
      quantizedLinears: o.quantizedLinears as number,
      floatLinears: o.floatLinears as string[],
    },
  };
}

/** Whether a value is a MatMulNBits block size: a power of two of at least 16. */
export function isBlockSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 16 && Number.isInteger(Math.log2(value as number));
}
