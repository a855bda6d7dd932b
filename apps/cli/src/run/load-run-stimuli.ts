import { existsSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import {
  BUILTIN_STIMULUS_SETS,
  isBuiltinStimulusSet,
  loadBuiltinStimulusSet,
  loadStimulusSetFile,
  validateStimulusSet,
  type LoadedStimulusSet,
  type StimulusProblem,
  type TokenCounter,
  type ValidationReport,
} from '@moral-plantain/stimuli';
import { CliError } from '../cli-error.js';

/** How many problems an error message lists before "and N more". */
const SHOWN_PROBLEMS = 5;

/** Loads a built-in set or a YAML file and validates it strictly; any problem stops the run. */
export function loadRunStimuli(nameOrFile: string, tokenCounter: TokenCounter): { loaded: LoadedStimulusSet; report: ValidationReport } {
  const result = !existsSync(nameOrFile) && isBuiltinStimulusSet(nameOrFile) ? loadBuiltinStimulusSet(nameOrFile) : loadStimulusSetFile(nameOrFile);
  if (E.isLeft(result)) {
    const error = result.left;
    if (error._tag === 'FileUnreadable') {
      throw new CliError(`cannot read the stimulus set "${nameOrFile}": ${error.reason}`, `give a YAML file or a built-in set (${BUILTIN_STIMULUS_SETS.join(', ')})`);
    }
    throw new CliError(`the stimulus set ${error.file} cannot be loaded: ${listProblems(error.problems)}`, `run \`moral-plantain stimuli validate ${nameOrFile}\` for the full table`);
  }
  const report = validateStimulusSet(result.right.set, { tokenCounter, source: result.right.source });
  if (report.errorCount > 0) {
    throw new CliError(
      `the stimulus set ${result.right.set.name} fails validation: ${listProblems(report.problems.filter((p) => p.severity === 'error'))}`,
      `run \`moral-plantain stimuli validate ${nameOrFile}\` for the full table`,
    );
  }
  return { loaded: result.right, report };
}

function listProblems(problems: readonly StimulusProblem[]): string {
  const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `${p.pairId ? `${p.pairId}: ` : ''}${p.message}`);
  const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
  return `${shown.join('; ')}${more}`;
}
