import * as E from 'fp-ts/lib/Either.js';
import { loadStimulusSet, validateStimulusSet, type LoadedStimulusSet, type TokenCounter, type ValidationReport } from '@moral-plantain/stimuli';
import type { StudyError } from './study-error.js';

/** A stimulus set as a run uses it: loaded, and validated strictly with the model's own token counter. */
export interface RunStimuli {
  readonly loaded: LoadedStimulusSet;
  readonly validation: ValidationReport;
}

/** Loads a built-in set or a YAML file and validates it strictly; any problem stops the run. */
export function runStimuli(nameOrFile: string, tokenCounter: TokenCounter): E.Either<StudyError, RunStimuli> {
  const loaded = loadStimulusSet(nameOrFile);
  if (E.isLeft(loaded)) return E.left({ _tag: 'StimuliUnloadable', nameOrFile, error: loaded.left });
  const validation = validateStimulusSet(loaded.right.set, { tokenCounter, source: loaded.right.source });
  if (validation.errorCount > 0) {
    return E.left({ _tag: 'StimuliInvalid', nameOrFile, set: loaded.right.set.name, problems: validation.problems.filter((p) => p.severity === 'error') });
  }
  return E.right({ loaded: loaded.right, validation });
}
