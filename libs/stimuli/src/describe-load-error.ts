import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';
import { BUILTIN_STIMULUS_SETS } from './builtin-sets.js';
import type { StimulusSetLoadError } from './load-stimulus-set.js';

/** How many problems a description lists before "and N more". */
const SHOWN_PROBLEMS = 5;

/** Why a stimulus set could not be loaded, and what to do (a table of every problem is `stimuli validate`'s job). */
export function describeStimulusSetLoadError(error: StimulusSetLoadError, nameOrFile: string): ErrorDescription {
  if (error._tag === 'FileUnreadable') {
    return describeFileProblem('read the stimulus set', `"${nameOrFile}"`, error.reason, `Give a YAML file path or a built-in set name (${BUILTIN_STIMULUS_SETS.join(', ')}).`);
  }
  const shown = error.problems.slice(0, SHOWN_PROBLEMS).map((p) => `${p.pairId ? `${p.pairId}: ` : ''}${p.message}`);
  const more = error.problems.length > SHOWN_PROBLEMS ? `; and ${error.problems.length - SHOWN_PROBLEMS} more` : '';
  return { message: `The stimulus set ${error.file} cannot be loaded: ${shown.join('; ')}${more}`, hint: `Run \`moral-plantain stimuli validate ${nameOrFile}\` for the full table.` };
}
