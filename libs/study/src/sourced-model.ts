import * as E from 'fp-ts/lib/Either.js';
import { cachedModelBuild, isBuiltModelFolder, isPipelineFolder, looksLikeHubRepoId, resolveModelSource, type ModelSource } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, type ModelFolder } from '@moral-plantain/model-runtime';
import { openModel } from './embedded-model.js';
import { givenBuildOptions, runBuildChoices, type RunBuildSettings } from './run-build-choices.js';
import type { StudyError } from './study-error.js';
import type { StudyProgress } from './study-progress.js';

/** Where a run's model came from when it was built from a source (run.json's `modelSource`). */
export type ModelSourceRecord = (
  | { readonly kind: 'hub'; readonly repoId: string; readonly revision: string; readonly commit: string; readonly snapshot: string }
  | { readonly kind: 'pipeline'; readonly dir: string; readonly fingerprint: string }
) & {
  /** The ONNX model folder in our model cache (`models/<key>`). */
  readonly built: string;
  readonly key: string;
  /** Whether this run found it built by an earlier one. */
  readonly reused: boolean;
};

/** The model a run probes, and where it was built from (null for a model folder given as is). */
export interface SourcedModel {
  readonly folder: ModelFolder;
  readonly source: ModelSourceRecord | null;
}

/**
 * The model a run's `--model` names, opened: a model folder as it is; a diffusers pipeline folder
 * or a Hugging Face repo id (its snapshot in the local Hugging Face cache at `revision`) built once
 * into our model cache (`cachedModelBuild`, keyed by the snapshot and the build options of
 * `settings`, e.g. its text layers) and reused by later runs. Says which it did. Nothing is downloaded.
 */
export async function sourcedModel(model: string, revision: string | null, settings: RunBuildSettings, progress: StudyProgress): Promise<E.Either<StudyError, SourcedModel>> {
  if (!isModelSource(model)) {
    if (revision !== null) return E.left({ _tag: 'ModelSource', model, problems: [{ _tag: 'ConflictingOptions', options: ['--revision', '--model'], hint: `--revision picks a snapshot of a Hugging Face repo id; ${model} is a model folder.` }] });
    const options = givenBuildOptions(settings);
    if (options.length > 0) return E.left({ _tag: 'ModelSource', model, problems: [{ _tag: 'ConflictingOptions', options: [...options, '--model'], hint: `${options.join(' and ')} ${options.length > 1 ? 'are build options' : 'is a build option'} of a model built from a diffusers pipeline folder or a Hugging Face repo id; ${model} is a model folder already built (rebuild it with \`moral-plantain model build\`).` }] });
    return E.map((folder: ModelFolder): SourcedModel => ({ folder, source: null }))(await openModel(model)());
  }
  const source = await resolveModelSource(model, revision ?? undefined);
  if (E.isLeft(source)) return E.left({ _tag: 'ModelSource', model, problems: [source.left] });
  const what = source.right.kind === 'hub' ? `${source.right.repoId} at ${source.right.revision} (commit ${source.right.commit.slice(0, 12)})` : source.right.dir;
  const since = performance.now();
  const built = await cachedModelBuild(source.right, runBuildChoices(settings), {
    defaultTokenizerDir: defaultQwen3TokenizerDir(),
    onBuild: (dir) => progress.log(`model: building ${what} into ${dir} (once; later runs reuse it)`),
  });
  if (E.isLeft(built)) return E.left({ _tag: 'ModelSource', model, problems: built.left });
  const { dir, key, reused } = built.right;
  progress.log(reused ? `model: ${what}, built before: reusing ${dir}` : `model: built ${what} in ${((performance.now() - since) / 1000).toFixed(1)} s`);
  const opened = await openModel(dir)();
  return E.map((folder: ModelFolder): SourcedModel => ({ folder, source: { ...sourceRecord(source.right), built: dir, key, reused } }))(opened);
}

/** Whether `model` is built before use (a diffusers pipeline folder or a Hugging Face repo id), not a model folder opened as it is. */
export function isModelSource(model: string): boolean {
  return !isBuiltModelFolder(model) && (isPipelineFolder(model) || looksLikeHubRepoId(model));
}

function sourceRecord(source: ModelSource) {
  return source.kind === 'hub'
    ? { kind: 'hub' as const, repoId: source.repoId, revision: source.revision, commit: source.commit, snapshot: source.dir }
    : { kind: 'pipeline' as const, dir: source.dir, fingerprint: source.fingerprint };
}
