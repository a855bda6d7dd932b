import { isNonEmpty } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';
import { describeConfigProblem, type ConfigModel, type ConfigProblem } from '../model-config/config-problem.js';
import { describeQuantizationProblem, type QuantizationProblem } from '../quantization/quantization-options.js';
import { describeWeightError } from '../weights/checkpoint-weights.js';
import type { WeightError, WeightSource } from '../weights/weight-source.js';
import type { GraphWriteFailed } from './graph-file.js';
import type { ParameterStore } from './parameter-store.js';

/**
 * Why a graph (the FLUX.2 transformer or the Qwen3 text encoder) could not be built: a config
 * problem, quantization options that cannot be built, a weight that could not be had, weights too
 * large to build in memory, or a file that could not be written. Builders return every problem at
 * once, as a non-empty list.
 */
export type GraphBuildError = ConfigProblem | QuantizationProblem | WeightError | { readonly _tag: 'TooLargeForMemory'; readonly bytes: number } | GraphWriteFailed;

/** What is wrong with a build, and what to do. */
export function describeGraphBuildError(error: GraphBuildError, model: ConfigModel): ErrorDescription {
  switch (error._tag) {
    case 'TooLargeForMemory':
      return {
        message: `The ${model} weights take ${(error.bytes / 2 ** 30).toFixed(1)} GiB, too much for an in-memory ONNX model.`,
        hint: 'Build it to a file, where the weights stream into external data (buildFlux2TransformerFile / buildQwen3TextEncoderFile).',
      };
    case 'WriteFailed':
      return describeFileProblem('write', error.path, error.reason);
    case 'InvalidQuantization':
      return describeQuantizationProblem(error);
    case 'MissingTensor':
    case 'WrongShape':
    case 'UnsupportedDtype':
    case 'ExtraTensors':
    case 'Unreadable':
      return describeWeightError(error);
    default:
      return describeConfigProblem(error, model);
  }
}

/**
 * After a build has read its parameters: every weight problem the store met, then the source's
 * tensors that nothing read and that `mayStayUnread` does not excuse (e.g. a text encoder's later
 * layers). A tensor asked for but refused (wrong shape, dtype) is reported once, as that problem.
 */
export function checkWeightsRead(
  store: Pick<ParameterStore, 'names' | 'problems'>,
  weights: WeightSource,
  mayStayUnread: (name: string) => boolean = () => false,
): E.Either<NEA.NonEmptyArray<GraphBuildError>, true> {
  const errors: GraphBuildError[] = [...store.problems];
  const requested = new Set(store.names.map((p) => p.name));
  const extra = weights.unread().filter((name) => !requested.has(name) && !mayStayUnread(name));
  if (extra.length > 0) errors.push({ _tag: 'ExtraTensors', names: extra, source: weights.description });
  return isNonEmpty(errors) ? E.left(errors) : E.right(true);
}
