import { describeActivationsError, describeFileProblem, type ActivationsError, type ErrorDescription } from '@moral-plantain/formats';
import { describeProbeError, type ProbeError } from '@moral-plantain/model-runtime';
import { describeReportError, type ReportError } from '@moral-plantain/report';
import { describePatchStatsError, type PatchStatsError } from '@moral-plantain/stats';
import { describeStudyError, type StudyError } from '../study-error.js';

/** Why a causal test of a run could not be made. */
export type PatchError =
  | { readonly _tag: 'InvalidSettings'; readonly problems: readonly string[] }
  | { readonly _tag: 'Study'; readonly error: StudyError }
  | { readonly _tag: 'NotARunFolder'; readonly dir: string; readonly reason: string }
  | { readonly _tag: 'NoActivations'; readonly dir: string }
  | { readonly _tag: 'RunFilesChanged'; readonly dir: string; readonly files: readonly string[] }
  | { readonly _tag: 'Activations'; readonly file: string; readonly error: ActivationsError }
  | { readonly _tag: 'RunUnreadable'; readonly file: string; readonly problems: readonly string[] }
  | { readonly _tag: 'RunInconsistent'; readonly dir: string; readonly problems: readonly string[] }
  | { readonly _tag: 'ModelChanged'; readonly model: string; readonly expected: string; readonly actual: string }
  | { readonly _tag: 'StimuliChanged'; readonly stimuli: string; readonly reason: string }
  | { readonly _tag: 'NotReproduced'; readonly pair: string; readonly unit: number; readonly deviation: number; readonly tolerance: number }
  | { readonly _tag: 'NoChange'; readonly pair: string }
  | { readonly _tag: 'Selection'; readonly error: PatchStatsError }
  | { readonly _tag: 'Probe'; readonly error: ProbeError }
  | { readonly _tag: 'Interrupted'; readonly done: number; readonly total: number; readonly cacheDir: string }
  | { readonly _tag: 'Report'; readonly error: ReportError }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly reason: string };

/** What stopped a causal test, and what to do about it. */
export function describePatchError(error: PatchError): ErrorDescription {
  switch (error._tag) {
    case 'InvalidSettings':
      return {
        message: error.problems.length === 1 ? `${capitalize(error.problems[0] ?? '')}.` : `${error.problems.length} options are invalid: ${error.problems.join('; ')}.`,
        hint: 'Fix the options and run again (`moral-plantain patch --help` lists them).',
      };
    case 'Study':
      return describeStudyError(error.error);
    case 'NotARunFolder':
      return { message: `${error.dir} is not the folder of a finished run: ${error.reason}.`, hint: 'Give the --out folder of a finished `moral-plantain run`.' };
    case 'NoActivations':
      return {
        message: `${error.dir} has no activations (activations.safetensors): the patch needs the probe's per-unit values of both conditions to set its factors.`,
        hint: `Run the probe into it again (\`moral-plantain run --out ${error.dir}\`): finished prompts come from its cache.`,
      };
    case 'RunFilesChanged':
      return {
        message: `${error.files.join(', ')} in ${error.dir} changed since the run published ${error.files.length === 1 ? 'it' : 'them'} (outputs.json lists other contents).`,
        hint: `Restore ${error.files.length === 1 ? 'it' : 'them'}, or run the probe again (\`moral-plantain run --out ${error.dir}\`).`,
      };
    case 'Activations':
      return { message: `The run's activations cannot be used: ${describeActivationsError(error.error).message}`, hint: `Run the probe again (\`moral-plantain run --out <run folder>\`) to write ${error.file} anew.` };
    case 'RunUnreadable':
      return { message: `${error.file} cannot be used: ${error.problems.join('; ')}.`, hint: 'Run the probe again to write it anew.' };
    case 'RunInconsistent':
      return { message: `The files of ${error.dir} do not belong to one run: ${error.problems.join('; ')}.`, hint: `Run the probe again (\`moral-plantain run --out ${error.dir}\`).` };
    case 'ModelChanged':
      return {
        message: `The model at ${error.model} is not the one the run probed (transformer fingerprint ${error.actual.slice(0, 12)}, the run's ${error.expected.slice(0, 12)}).`,
        hint: 'Give the run\'s model with --model, or run the probe again with this one.',
      };
    case 'StimuliChanged':
      return { message: `The stimulus set ${error.stimuli} is not the one the run probed: ${error.reason}.`, hint: 'Give the run\'s stimulus set with --stimuli, or run the probe again with this one.' };
    case 'NotReproduced':
      return {
        message: `The unpatched runs do not reproduce the run's activations (pair ${error.pair}, unit ${error.unit}: relative difference ${error.deviation.toPrecision(3)}, more than ${error.tolerance}): the model, the text encoder or the settings differ from the run's.`,
        hint: 'Patch on the device and with the model the run used, or run the probe again.',
      };
    case 'NoChange':
      return { message: `Prompts a and b of pair ${error.pair} give exactly the same prediction: there is no change for a patch to reproduce.`, hint: 'Check the pair in the stimulus set.' };
    case 'Selection':
      return describePatchStatsError(error.error);
    case 'Probe':
      return describeProbeError(error.error);
    case 'Interrupted':
      return { message: `Interrupted after ${error.done} of ${error.total} pairs; they are saved in ${error.cacheDir}.`, hint: 'Run the same command again to resume.' };
    case 'Report':
      return describeReportError(error.error);
    case 'WriteFailed':
      return describeFileProblem('write', error.path, error.reason);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
