import * as E from 'fp-ts/lib/Either.js';
import { cachedModelBuild, isBuiltModelFolder, isPipelineFolder, looksLikeHubRepoId, resolveModelSource } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, type ModelFolder } from '@moral-plantain/model-runtime';
import { openModel } from './embedded-model.js';
import type { StudyError } from './study-error.js';
import type { StudyProgress } from './study-progress.js';

/**
 * The model a run's `--model` names, opened: a model folder as it is; a diffusers pipeline folder
 * or a Hugging Face repo id (its snapshot in the local Hugging Face cache at `revision`) built once
 * into our model cache (`cachedModelBuild`, keyed by the snapshot and the build options) and
 * reused by later runs. Says which it did. Nothing is downloaded.
 */
export async function sourcedModel(model: string, revision: string | null, progress: StudyProgress): Promise<E.Either<StudyError, ModelFolder>> {
  const buildable = !isBuiltModelFolder(model) && (isPipelineFolder(model) || looksLikeHubRepoId(model));
  if (!buildable) {
    if (revision !== null) return E.left({ _tag: 'ModelSource', model, problems: [{ _tag: 'ConflictingOptions', options: ['--revision', '--model'], hint: `--revision picks a snapshot of a Hugging Face repo id; ${model} is a model folder.` }] });
    return openModel(model)();
  }
  const source = await resolveModelSource(model, revision ?? undefined);
  if (E.isLeft(source)) return E.left({ _tag: 'ModelSource', model, problems: [source.left] });
  const what = source.right.kind === 'hub' ? `${source.right.repoId} at ${source.right.revision} (commit ${source.right.commit.slice(0, 12)})` : source.right.dir;
  const built = await cachedModelBuild(source.right, {}, { defaultTokenizerDir: defaultQwen3TokenizerDir(), onBuild: (dir) => progress.log(`model: building ${what} into ${dir} (once; later runs reuse it)`) });
  if (E.isLeft(built)) return E.left({ _tag: 'ModelSource', model, problems: built.left });
  if (built.right.reused) progress.log(`model: ${what}, built before: reusing ${built.right.dir}`);
  return openModel(built.right.dir)();
}
