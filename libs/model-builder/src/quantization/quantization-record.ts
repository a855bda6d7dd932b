import { QUANTIZED_LINEAR_OP, type WeightQuantization } from '@moral-plantain/formats';
import type { QuantizationOptions } from './quantization-options.js';

/** The linear layers of one build, by module path: those quantized and those kept in float. */
export interface LinearTally {
  readonly quantized: string[];
  readonly float: string[];
}

/** An empty tally, filled as a builder lays out its linear layers. */
export function emptyLinearTally(): LinearTally {
  return { quantized: [], float: [] };
}

/** What model.json records of a quantized build: the options, the quantized layers as globs, and the layers kept in float. */
export function quantizationRecord(options: QuantizationOptions, tally: LinearTally): WeightQuantization {
  return {
    op: QUANTIZED_LINEAR_OP,
    bits: options.bits,
    blockSize: options.blockSize,
    symmetric: options.symmetric,
    scaleType: 'float32',
    layers: layerGlobs(tally.quantized),
    quantizedLinears: tally.quantized.length,
    floatLinears: [...tally.float],
  };
}

/**
 * Module paths as globs with the block (or layer) number as `*`, in first-seen order:
 * `transformer_blocks.3.attn.to_out.0` -> `transformer_blocks.*.attn.to_out.0`.
 */
export function layerGlobs(modules: readonly string[]): string[] {
  const globs = new Set<string>();
  for (const module of modules) {
    const segments = module.split('.');
    const index = segments.findIndex((s) => /^\d+$/u.test(s));
    if (index >= 0) segments[index] = '*';
    globs.add(segments.join('.'));
  }
  return [...globs];
}
