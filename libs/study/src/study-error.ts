import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';
import { describeModelBuildProblem, type ModelBuildProblem } from '@moral-plantain/model-builder';
import { describeModelFolderError, describeProbeError, describeTextError, type ModelFolderError, type ProbeError, type TextError } from '@moral-plantain/model-runtime';
import { describeReportError, type ReportError } from '@moral-plantain/report';
import { describeStatsError, type StatsError } from '@moral-plantain/stats';
import { describeStimulusSetLoadError, type StimulusProblem, type StimulusSetLoadError } from '@moral-plantain/stimuli';
import { RUN_LOCK_TIMING } from './run-lock-timing.js';
import { describeShardError, type ShardError } from './shard-error.js';

/** Why a probe study (or one of its steps: settings, the report of a finished run) could not go on. */
export type StudyError =
  | { readonly _tag: 'InvalidSettings'; readonly problems: readonly string[] }
  | { readonly _tag: 'ConfigFile'; readonly file: string; readonly reason: string; readonly hint: string }
  | { readonly _tag: 'OutFolderUnusable'; readonly dir: string; readonly reason: string }
  /** A live run holds the folder: its process, machine and start as its lock file names them (null where it does not), and how long ago it refreshed the lock. */
  | { readonly _tag: 'Locked'; readonly dir: string; readonly file: string; readonly pid: number | null; readonly host: string | null; readonly started: string | null; readonly ageMs: number }
  | { readonly _tag: 'LockFailed'; readonly dir: string; readonly file: string; readonly reason: string }
  | { readonly _tag: 'ModelFolder'; readonly dir: string; readonly problems: readonly ModelFolderError[] }
  | { readonly _tag: 'EmbeddedModel'; readonly dir: string; readonly problems: readonly ModelBuildProblem[] }
  | { readonly _tag: 'Tokenizer'; readonly error: TextError }
  | { readonly _tag: 'StimuliUnloadable'; readonly nameOrFile: string; readonly error: StimulusSetLoadError }
  | { readonly _tag: 'StimuliInvalid'; readonly nameOrFile: string; readonly set: string; readonly problems: readonly StimulusProblem[] }
  | { readonly _tag: 'NoNeutralDescriptions'; readonly nameOrFile: string; readonly set: string; readonly pairs: readonly string[] }
  | { readonly _tag: 'ReferencesMissing'; readonly dir: string; readonly pairs: readonly string[] }
  | { readonly _tag: 'Interrupted'; readonly done: number; readonly total: number; readonly cacheDir: string }
  | { readonly _tag: 'Probe'; readonly error: ProbeError }
  | { readonly _tag: 'Statistics'; readonly errors: readonly StatsError[] }
  | { readonly _tag: 'Report'; readonly error: ReportError }
  | { readonly _tag: 'ResultsUnreadable'; readonly file: string; readonly reason: string }
  | { readonly _tag: 'ForeignFiles'; readonly dir: string; readonly files: readonly string[] }
  | { readonly _tag: 'InterruptedPublish'; readonly dir: string }
  | { readonly _tag: 'RunRecordInvalid'; readonly file: string; readonly problems: readonly string[] }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'Shards'; readonly error: ShardError };

/** How many problems a description lists before "and N more". */
const SHOWN_PROBLEMS = 5;

/** What stopped a study, and what to do about it. */
export function describeStudyError(error: StudyError): ErrorDescription {
  switch (error._tag) {
    case 'InvalidSettings':
      return {
        message: error.problems.length === 1 ? `${error.problems[0]}.` : `${error.problems.length} settings are invalid: ${error.problems.join('; ')}.`,
        hint: 'Fix the flags or the config file and run again.',
      };
    case 'ConfigFile':
      return { message: `The config file ${error.file} ${error.reason}.`, hint: error.hint };
    case 'OutFolderUnusable':
      return describeFileProblem('use the output folder', error.dir, error.reason, 'Choose another folder with --out.');
    case 'Locked':
      return describeLocked(error);
    case 'LockFailed':
      return { message: describeFileProblem('create the lock file', error.file, error.reason).message, hint: `If no run is using ${error.dir}, remove ${error.file} (it may be a folder: rm -r) and run again.` };
    case 'ModelFolder': {
      const [first, ...rest] = error.problems.map(describeModelFolderError);
      return {
        message: `${first?.message ?? `${error.dir} is not a model folder.`}${rest.length ? ` (${rest.map((r) => r.message).join('; ')})` : ''}`,
        hint: first?.hint ?? 'Build one with `moral-plantain model build`.',
      };
    }
    case 'EmbeddedModel':
      return {
        message: `The embedded tiny model cannot be built: ${error.problems.map((p) => describeModelBuildProblem(p).message).join(' ')}`,
        hint: `Check that ${error.dir} is writable.`,
      };
    case 'Tokenizer':
      return describeTextError(error.error);
    case 'StimuliUnloadable':
      return describeStimulusSetLoadError(error.error, error.nameOrFile);
    case 'StimuliInvalid': {
      const shown = error.problems.slice(0, SHOWN_PROBLEMS).map((p) => `${p.pairId ? `${p.pairId}: ` : ''}${p.message}`);
      const more = error.problems.length > SHOWN_PROBLEMS ? `; and ${error.problems.length - SHOWN_PROBLEMS} more` : '';
      return { message: `The stimulus set ${error.set} fails validation: ${shown.join('; ')}${more}`, hint: `Run \`moral-plantain stimuli validate ${error.nameOrFile}\` for the full table.` };
    }
    case 'NoNeutralDescriptions':
      return {
        message: `${error.pairs.length} pair${error.pairs.length === 1 ? '' : 's'} of the stimulus set ${error.set} give${error.pairs.length === 1 ? 's' : ''} no neutral scene description (${error.pairs.slice(0, SHOWN_PROBLEMS).join(', ')}${error.pairs.length > SHOWN_PROBLEMS ? ', ...' : ''}), which the reference images are generated from.`,
        hint: `Add a "neutral:" line to every pair of ${error.nameOrFile} (the scene and agents without the act), or give reference image files instead.`,
      };
    case 'ReferencesMissing':
      return {
        message: `The reference folder ${error.dir} has no image for ${error.pairs.length} pair${error.pairs.length === 1 ? '' : 's'} (${error.pairs.slice(0, SHOWN_PROBLEMS).join(', ')}${error.pairs.length > SHOWN_PROBLEMS ? ', ...' : ''}).`,
        hint: 'Put one <pair id>.png (or .jpg, .jpeg, .webp) per pair in the folder, or use --reference generate to draw them from the neutral descriptions.',
      };
    case 'Interrupted':
      return { message: `Interrupted after ${error.done} of ${error.total} prompts; they are saved in ${error.cacheDir}.`, hint: 'Run the same command again to resume.' };
    case 'Probe':
      return describeProbeError(error.error);
    case 'Statistics':
      return {
        message: `The statistics cannot be computed: ${error.errors.map((e) => describeStatsError(e).message).join(' ')}`,
        hint: 'Check the stimulus set (at least 4 pairs with split-half on, or --splits 0).',
      };
    case 'Report':
      return describeReportError(error.error);
    case 'ResultsUnreadable':
      return /^E[A-Z]+$/.test(error.reason)
        ? describeFileProblem('read the results file', error.file, error.reason, 'Pass the results.json that `moral-plantain stats` or `run` wrote.')
        : { message: `Cannot read the results file ${error.file}: ${error.reason}.`, hint: 'Pass the results.json that `moral-plantain stats` or `run` wrote.' };
    case 'ForeignFiles':
      return {
        message: `${error.files.join(', ')} in ${error.dir} ${error.files.length === 1 ? 'was' : 'were'} not written by moral-plantain, or changed since: left as ${error.files.length === 1 ? 'it is' : 'they are'}.`,
        hint: 'Give --out another folder, or --force to replace them.',
      };
    case 'InterruptedPublish':
      return {
        message: `${error.dir} holds outputs whose publishing was interrupted and cannot be completed now.`,
        hint: `Run \`moral-plantain run --out ${error.dir}\` again (it completes them), or check that the folder is writable.`,
      };
    case 'RunRecordInvalid':
      return { message: `${error.file} is not a valid run record: ${error.problems.join('; ')}.`, hint: 'Fix or remove run.json (the report renders without it).' };
    case 'WriteFailed':
      return describeFileProblem('write', error.path, error.reason);
    case 'Shards':
      return describeShardError(error.error);
  }
}

function describeLocked(error: Extract<StudyError, { _tag: 'Locked' }>): ErrorDescription {
  const holder = error.pid === null ? 'a run whose lock file is being written' : `process ${error.pid}${error.host === null ? '' : ` on ${error.host}`}`;
  const since = error.started === null ? '' : `, started ${error.started.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
  const { heartbeatMs, staleAfterMs } = RUN_LOCK_TIMING;
  return {
    message: `Another run (${holder}${since}; its lock was refreshed ${formatAge(error.ageMs)} ago) is writing into ${error.dir}.`,
    hint:
      `Wait for it to finish, or choose another folder with --out. A running run refreshes its lock every ${heartbeatMs / 1000} s; ` +
      `a lock not refreshed for ${staleAfterMs / 1000} s (or whose process on this machine is gone) is taken over by the next run. ` +
      `If no run is using ${error.dir}, remove ${error.file} and run again.`,
  };
}

function formatAge(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
