import type { ErrorDescription } from '@moral-plantain/formats';
import { describeStudyError, type StudyError } from './study-error.js';

/** Why a sweep (its file, its plan, one of its tasks, its scripts, its submission or one of its cells) could not go on. */
export type SweepError =
  | { readonly _tag: 'SweepFile'; readonly file: string; readonly problems: readonly string[] }
  | { readonly _tag: 'SweepPlanInvalid'; readonly file: string; readonly problems: readonly string[] }
  | { readonly _tag: 'TaskIndex'; readonly reason: string; readonly tasks: number }
  | { readonly _tag: 'SlurmOptions'; readonly problems: readonly string[] }
  | { readonly _tag: 'SlurmSubmit'; readonly command: string; readonly reason: string }
  | { readonly _tag: 'Cell'; readonly cell: string; readonly error: StudyError }
  | { readonly _tag: 'Study'; readonly error: StudyError };

/** How many problems a description lists before "and N more". */
const SHOWN = 6;

/** What stopped a sweep, and what to do about it. */
export function describeSweepError(error: SweepError): ErrorDescription {
  switch (error._tag) {
    case 'SweepFile': {
      const more = error.problems.length > SHOWN ? `; and ${error.problems.length - SHOWN} more` : '';
      return {
        message: `The sweep file ${error.file} ${error.problems.length === 1 ? 'has a problem' : `has ${error.problems.length} problems`}: ${error.problems.slice(0, SHOWN).join('; ')}${more}.`,
        hint: 'Fix the file and run again (see `moral-plantain sweep --help` for its keys).',
      };
    }
    case 'SweepPlanInvalid':
      return {
        message: `${error.file} is not a sweep plan: ${error.problems.slice(0, SHOWN).join('; ')}.`,
        hint: 'Write it again with `moral-plantain sweep SWEEP.yaml --slurm` (or run the sweep locally).',
      };
    case 'TaskIndex':
      return {
        message: `No task to run: ${error.reason}.`,
        hint: `Give --index 0..${error.tasks - 1}, or run inside a SLURM array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX).`,
      };
    case 'SlurmOptions':
      return { message: `The SLURM scripts cannot be written: ${error.problems.join('; ')}.`, hint: 'Fix those options and run again.' };
    case 'SlurmSubmit':
      return {
        message: `Submitting to SLURM failed: \`${error.command}\` ${error.reason}.`,
        hint: 'Check that sbatch works on this machine (`sbatch --version`, `sinfo`), or submit the scripts yourself with the submit.sh written beside them.',
      };
    case 'Cell': {
      const inner = describeStudyError(error.error);
      return { message: `Cell ${error.cell}: ${inner.message}`, hint: inner.hint };
    }
    case 'Study':
      return describeStudyError(error.error);
  }
}
