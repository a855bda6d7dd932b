import type { GraphWriteFailed } from '../graph-weights/graph-file.js';
import { formatWeightError } from '../weights/checkpoint-weights.js';
import type { WeightError } from '../weights/weight-source.js';
import { describeQwen3ConfigProblem, type Qwen3ConfigProblem } from './qwen3-config.js';

/**
 * Why a text encoder could not be built: a config problem, a weight that could not be had, weights
 * too large to build in memory, or a file that could not be written.
 */
export type Qwen3BuildError = Qwen3ConfigProblem | WeightError | { readonly _tag: 'TooLargeForMemory'; readonly bytes: number } | GraphWriteFailed;

/** One sentence for people. */
export function describeQwen3BuildError(error: Qwen3BuildError): string {
  switch (error._tag) {
    case 'MissingKey':
    case 'InvalidValue':
    case 'Unsupported':
      return describeQwen3ConfigProblem(error);
    case 'TooLargeForMemory':
      return `The text encoder's weights take ${(error.bytes / 2 ** 30).toFixed(1)} GiB, too much for an in-memory ONNX model; build it to a file with external data (buildQwen3TextEncoderFile).`;
    case 'WriteFailed':
      return `Could not write ${error.path}: ${error.reason}.`;
    default:
      return `Qwen3 weights: ${formatWeightError(error)}.`;
  }
}
