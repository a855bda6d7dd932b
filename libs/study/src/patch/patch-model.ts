import { existsSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { MODEL_MANIFEST_FILE } from '@moral-plantain/formats';
import type { ModelFolder } from '@moral-plantain/model-runtime';
import { embeddedModel, openModel } from '../embedded-model.js';
import { isModelSource, sourcedModel, type SourcedModel } from '../sourced-model.js';
import type { StudyError } from '../study-error.js';
import type { StudyProgress } from '../study-progress.js';
import type { FinishedRun } from './finished-run.js';

/**
 * The model a causal test repeats its run with. `--model` when given: a model folder as it is, a
 * pipeline folder or repo id built (or found built) with the run's build options. Else the run's:
 * the folder it built from a pipeline folder or repo id when that is still in the model cache,
 * else built again from the same source (the Hub commit the run recorded, not whatever the
 * revision names now); a model folder given as is; or the embedded tiny model.
 */
export async function patchModel(model: string | null, run: FinishedRun, progress: StudyProgress): Promise<E.Either<StudyError, ModelFolder>> {
  const { inputs } = run;
  const folderOf = E.map((sourced: SourcedModel) => sourced.folder);
  if (model !== null) return isModelSource(model) ? folderOf(await sourcedModel(model, null, inputs.build, progress)) : openModel(model)();
  if (inputs.model === null) {
    progress.log('model: the embedded TINY FLUX.2-architecture model with seeded random weights (not FLUX.2 klein 4B); the causal test is a pipeline check, not a finding');
    return embeddedModel(run.folder.cache.embeddedModel)();
  }
  if (inputs.source === null) return openModel(inputs.model)();
  if (existsSync(path.join(inputs.source.built, MODEL_MANIFEST_FILE))) {
    progress.log(`model: ${inputs.model}, as the run built it: ${inputs.source.built}`);
    return openModel(inputs.source.built)();
  }
  return folderOf(await sourcedModel(inputs.model, inputs.source.commit ?? inputs.revision, inputs.build, progress));
}
