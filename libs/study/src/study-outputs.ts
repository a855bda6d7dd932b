import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason, publishOutputs, writeJsonFile, type Activations } from '@moral-plantain/formats';
import type { FolderFileInfo, ProbeResult } from '@moral-plantain/model-runtime';
import { resultDistributions, writeReport, type RunProvenance } from '@moral-plantain/report';
import { testActivations, type ProbeResults } from '@moral-plantain/stats';
import type { RunFolder } from './run-folder.js';
import { RUN_FORMAT, type RunRecord } from './run-record.js';
import type { RunSettings } from './run-settings.js';
import type { StudyError } from './study-error.js';
import type { StudyProgress } from './study-progress.js';

/** What run.json records besides the provenance: computed once the statistics are done. */
export interface StudyDescription {
  readonly provenance: RunProvenance;
  readonly modelFiles: readonly FolderFileInfo[];
}

/** What `finishStudy` needs beyond the staged activations. */
export interface FinishInputs {
  /** The settings as run.json records them (`out` absolute). */
  readonly settings: RunSettings;
  readonly prompts: ProbeResult['prompts'];
  readonly probeStages: ProbeResult['seconds'];
  /** The provenance and model files, asked for once the statistics are done (the provenance's time is when the run finished). */
  readonly describe: () => Promise<StudyDescription>;
  /** Wall seconds per stage so far; the statistics, report and total are added. */
  readonly seconds: Record<string, number>;
  /** `performance.now()` when the study started. */
  readonly started: number;
  readonly progress: StudyProgress;
  readonly signal?: AbortSignal;
}

/**
 * The end of every study, once its activations are staged: the statistics, `results.json`, the
 * report (README.md model card, figures, CSV) and `run.json`, all written into the staging folder,
 * then published with the activations as one output set (`publishOutputs`, outputs.json last). A
 * stop asked for meanwhile publishes nothing.
 */
export async function finishStudy(folder: RunFolder, staging: string, activations: Activations, inputs: FinishInputs): Promise<E.Either<StudyError, ProbeResults>> {
  const { progress, settings, seconds } = inputs;
  const shown = publishedPath(folder, staging);
  const staged = (file: string) => path.join(staging, path.relative(folder.dir, file));
  const lap = (stage: string, since: number) => (seconds[stage] = round((performance.now() - since) / 1000));
  const total = activations.nPairs * 2;
  const stopped = (): E.Either<StudyError, never> | null => (inputs.signal?.aborted ? E.left({ _tag: 'Interrupted', done: total, total, cacheDir: folder.cache.prompts }) : null);

  let since = performance.now();
  progress.update({ stage: 'statistics', done: 0, total: 1 });
  const stats = await testActivations(activations, { permutations: settings.permutations, seed: settings.seed, splits: settings.splits })();
  progress.update({ stage: 'statistics', done: 1, total: 1 });
  progress.finish();
  if (E.isLeft(stats)) return E.left({ _tag: 'Statistics', errors: stats.left });
  // A stop asked for while the statistics ran is seen only now (they hold the thread): publish nothing.
  const stoppedInStatistics = stopped();
  if (stoppedInStatistics) return stoppedInStatistics;
  const { results, nulls } = stats.right;
  const wroteResults = await writeFile(staged(folder.results), results, shown);
  if (E.isLeft(wroteResults)) return wroteResults;
  lap('statistics', since);

  since = performance.now();
  const { provenance, modelFiles } = await inputs.describe();
  const report = await writeReport(staging, { results, provenance, distributions: resultDistributions(nulls) })();
  if (E.isLeft(report)) return E.left({ _tag: 'Report', error: report.left._tag === 'WriteFailed' ? { ...report.left, path: shown(report.left.path) } : report.left });
  lap('report', since);
  seconds.total = round((performance.now() - inputs.started) / 1000);
  const record: RunRecord = {
    format: RUN_FORMAT,
    ...provenance,
    settings,
    prompts: inputs.prompts,
    timings: { seconds, probeStages: inputs.probeStages },
    modelFiles,
  };
  const wroteRecord = await writeFile(staged(folder.runRecord), record, shown);
  if (E.isLeft(wroteRecord)) return wroteRecord;
  const stoppedInReport = stopped();
  if (stoppedInReport) return stoppedInReport;
  const published = await publishOutputs(folder.dir).then(
    () => E.right(true),
    (error: NodeJS.ErrnoException) => E.left<StudyError, true>({ _tag: 'WriteFailed', path: shown((error as { dest?: string }).dest ?? error.path ?? folder.dir), reason: errorReason(error) }),
  );
  if (E.isLeft(published)) return published;
  return E.right(results);
}

/** Where a staged output will be published, for messages: the path in the folder a staged path stands for. */
export function publishedPath(folder: RunFolder, staging: string): (file: string) => string {
  return (file) => (file.startsWith(staging + path.sep) ? path.join(folder.dir, path.relative(staging, file)) : file);
}

async function writeFile(file: string, value: unknown, shown: (file: string) => string): Promise<E.Either<StudyError, true>> {
  return writeJsonFile(file, value).then(
    () => E.right(true),
    (error: unknown) => E.left({ _tag: 'WriteFailed', path: shown(file), reason: errorReason(error) }),
  );
}

/** Seconds to the millisecond. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
