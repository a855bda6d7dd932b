import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { buildModelFolder, type BuiltModelFolder } from './build-model-folder.js';
import type { ModelBuildProblem } from './model-build-problem.js';
import { planModelBuild } from './model-build-plan.js';

/**
 * Builds the embedded default model into `out`: the tiny FLUX.2-architecture transformer and the
 * tiny Qwen3 text encoder with seeded random weights (seed 0, so every default run probes the same
 * model and the same seed gives the same bytes), and the tokenizer files of `tokenizerDir`.
 */
export async function buildTinyModelFolder(out: string, tokenizerDir: string | null): Promise<E.Either<NEA.NonEmptyArray<ModelBuildProblem>, BuiltModelFolder>> {
  const plan = await planModelBuild({ out, preset: 'tiny', defaultTokenizerDir: tokenizerDir });
  return E.isLeft(plan) ? plan : buildModelFolder(plan.right);
}
