import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { DEFAULT_TEXT_LENGTH, errorReason, publishOutputs, stageOutputs, writeJsonFile } from '@moral-plantain/formats';
import { loadQwen3Tokenizer, qwen3TokenCounter, qwen3Tokenize, runProbe, type Device, type DeviceFallback, type ModelFolder, type ProbeResult, type ResolvedDevice } from '@moral-plantain/model-runtime';
import { resultDistributions, writeReport } from '@moral-plantain/report';
import { testActivations, type ProbeResults } from '@moral-plantain/stats';
import { embeddedModel, openModel } from './embedded-model.js';
import { recordedModelFolder } from './model-files.js';
import { packageVersions } from './package-versions.js';
import { runFolder, type RunFolder } from './run-folder.js';
import { acquireRunLock } from './run-lock.js';
import { runProvenance } from './run-provenance.js';
import { runReferences } from './run-references.js';
import { RUN_FORMAT, type RunRecord } from './run-record.js';
import type { RunSettings } from './run-settings.js';
import { runStimuli, type RunStimuli } from './run-stimuli.js';
import type { StudyError } from './study-error.js';
import type { StudyProgress } from './study-progress.js';

/** What a finished study wrote and measured. */
export interface StudyOutcome {
  readonly folder: RunFolder;
  /** Whether the probed model is the embedded tiny one (a pipeline check, not a finding). */
  readonly tinyModel: boolean;
  readonly results: ProbeResults;
  readonly prompts: ProbeResult['prompts'];
  /** The device the transformer ran on; null when every prompt came from the cache. */
  readonly device: ResolvedDevice | null;
  /** The device asked for. */
  readonly requestedDevice: Device;
  /** GPU providers tried before `device`, and why each did not load. */
  readonly deviceFallbacks: readonly DeviceFallback[];
  /** Wall seconds per stage and in total. */
  readonly seconds: Readonly<Record<string, number>>;
}

/** Options of `runStudy`. */
export interface StudyOptions {
  /** Where progress and messages go. */
  readonly progress: StudyProgress;
  /** Stops the probe between batches; what was computed stays cached for a rerun. */
  readonly signal?: AbortSignal;
  /** Versions to record beside the libraries' own (e.g. `{ '@moral-plantain/cli': '0.1.0' }`). */
  readonly versions?: Readonly<Record<string, string>>;
}

/**
 * The whole probe study into one output folder (`runFolder`): the model (the embedded tiny one,
 * built once into the folder's cache, or a model folder), the stimulus set validated strictly with
 * the model's own tokenizer, the tapped one-step probe with its resumable per-prompt cache, the
 * statistics, `results.json`, the report (README.md model card, figures, CSV) and `run.json`. The
 * folder is locked while the study runs. The outputs are written into a staging folder and
 * published together (`publishOutputs`, outputs.json last): after any failure or kill the folder
 * holds the whole previous set or the whole new one.
 */
export function runStudy(settings: RunSettings, options: StudyOptions): TE.TaskEither<StudyError, StudyOutcome> {
  return async () => {
    const folder = runFolder(settings.out);
    const made = await mkdir(folder.dir, { recursive: true }).then(
      () => null,
      (error: NodeJS.ErrnoException) => error.code ?? String(error),
    );
    if (made !== null) return E.left({ _tag: 'OutFolderUnusable', dir: folder.dir, reason: made });
    const lock = await acquireRunLock(folder.lock, folder.dir, {
      // Only after this run stalled past the stale timeout (suspended, frozen disk): say so, the outputs may mix.
      onLost: () => options.progress.log(`warning: another process took over the lock of ${folder.dir} (this run stopped refreshing it for too long); the outputs of both may be mixed: rerun into a fresh folder`),
    })();
    if (E.isLeft(lock)) return lock;
    try {
      return await studyInLockedFolder(settings, folder, options);
    } finally {
      options.progress.finish();
      await lock.right();
    }
  };
}

async function studyInLockedFolder(settings: RunSettings, folder: RunFolder, options: StudyOptions): Promise<E.Either<StudyError, StudyOutcome>> {
  const { progress } = options;
  const started = performance.now();
  const staging = await stageOutputs(folder.dir).then(
    (dir) => E.right(dir),
    (error: unknown) => E.left<StudyError, string>({ _tag: 'OutFolderUnusable', dir: folder.dir, reason: errorReason(error) }),
  );
  if (E.isLeft(staging)) return staging;
  const staged = stagedPaths(folder, staging.right);
  const seconds: Record<string, number> = {};
  const lap = (stage: string, since: number) => (seconds[stage] = round((performance.now() - since) / 1000));

  // The embedded model's tokenizer is the packaged one: bad stimuli are found before it is built.
  const checkedEarly = settings.model === null ? await checkedStimuli(settings.stimuli, undefined, DEFAULT_TEXT_LENGTH) : null;
  if (checkedEarly !== null && E.isLeft(checkedEarly)) return checkedEarly;

  let since = performance.now();
  if (settings.model === null) progress.log('model: the embedded TINY FLUX.2-architecture model with seeded random weights (not FLUX.2 klein 4B); the report is a pipeline check, not a finding');
  const model = await (settings.model === null ? embeddedModel(folder.cache.embeddedModel) : openModel(settings.model))();
  if (E.isLeft(model)) return model;
  lap('model', since);

  const checked = checkedEarly ?? (await checkedStimuli(settings.stimuli, model.right.tokenizerDir ?? undefined, textLengthOf(model.right)));
  if (E.isLeft(checked)) return checked;
  const { tokenizer, textLength, stimuli } = checked.right;
  const { set } = stimuli.loaded;
  const { validation } = stimuli;
  progress.log(`stimuli: ${set.name} ${set.version}, ${set.pairs.length} pairs (${validation.hash.slice(0, 12)}), equal Qwen3 token counts within each pair`);

  if (!settings.resume) await rm(folder.cache.prompts, { recursive: true, force: true });
  const tokenize = qwen3Tokenize(tokenizer, { maxLength: textLength });
  since = performance.now();
  const references = await runReferences(settings, {
    folder: model.right,
    set,
    tokenize,
    cacheDir: folder.cache.references,
    resolution: settings.resolution,
    progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (E.isLeft(references)) return references;
  if (references.right) lap('references', since);
  since = performance.now();
  const probe = await runProbe(model.right, {
    pairs: set.pairs.map((p) => ({ id: p.id, a: p.a, b: p.b })),
    tokenize,
    session: { device: settings.device },
    seed: settings.seed,
    ...(settings.resolution ? { resolution: settings.resolution } : {}),
    batchSize: settings.batchSize,
    taps: { unitWidth: settings.unitWidth, unitTokens: settings.unitTokens, ...(settings.channels ? { channels: settings.channels } : {}) },
    ...(references.right ? { references: references.right.probe } : {}),
    tappedDir: folder.cache.tapped,
    cacheDir: folder.cache.prompts,
    ...(options.signal ? { signal: options.signal } : {}),
    // Encoding and transformer passes alternate per batch: one steady 'prompts' bar for both.
    onProgress: (p) => progress.update({ stage: p.stage === 'tap' || p.stage === 'load' || p.stage === 'references' ? p.stage : 'prompts', done: p.done, total: p.total, etaSeconds: p.etaSeconds }),
    out: staged.activations,
    stimuliHash: validation.hash,
  })();
  progress.finish();
  if (E.isLeft(probe)) {
    const error = probe.left;
    return E.left(error._tag === 'Aborted' ? { _tag: 'Interrupted', done: error.done, total: error.total, cacheDir: folder.cache.prompts } : { _tag: 'Probe', error: error._tag === 'WriteFailed' ? { ...error, path: staged.shown(error.path) } : error });
  }
  lap('probe', since);
  const { activations } = probe.right;
  for (const note of probe.right.notes) progress.log(note);
  progress.log(`probe: ${probe.right.prompts.computed} prompts computed, ${probe.right.prompts.cached} from the cache, ${activations.nUnits} units, on ${probe.right.device ?? 'cache only'}`);

  since = performance.now();
  progress.update({ stage: 'statistics', done: 0, total: 1 });
  const stats = await testActivations(activations, { permutations: settings.permutations, seed: settings.seed, splits: settings.splits })();
  progress.update({ stage: 'statistics', done: 1, total: 1 });
  progress.finish();
  if (E.isLeft(stats)) return E.left({ _tag: 'Statistics', errors: stats.left });
  // A stop asked for while the statistics ran is seen only now (they hold the thread): publish nothing.
  const total = 2 * set.pairs.length;
  const stopped = (): E.Either<StudyError, never> | null => (options.signal?.aborted ? E.left({ _tag: 'Interrupted', done: total, total, cacheDir: folder.cache.prompts }) : null);
  const stoppedInStatistics = stopped();
  if (stoppedInStatistics) return stoppedInStatistics;
  const { results, nulls } = stats.right;
  const wroteResults = await writeFile(staged.results, results, staged.shown);
  if (E.isLeft(wroteResults)) return wroteResults;
  lap('statistics', since);

  since = performance.now();
  // Generated reference images are part of what a reader checks: they are published with the run.
  if (references.right?.source === 'generated') {
    for (const pair of set.pairs) {
      const target = path.join(staging.right, 'references', `${pair.id}.png`);
      const copied = await mkdir(path.dirname(target), { recursive: true })
        .then(() => copyFile(path.join(folder.cache.references, `${pair.id}.png`), target))
        .then(
          () => null,
          (error: unknown) => errorReason(error),
        );
      if (copied !== null) return E.left({ _tag: 'WriteFailed', path: staged.shown(target), reason: copied });
    }
  }
  const info = await recordedModelFolder(model.right);
  const provenance = runProvenance({ settings, info, set, validation, probe: probe.right, packages: packageVersions(options.versions), references: references.right });
  const report = await writeReport(staging.right, { results, provenance, distributions: resultDistributions(nulls) })();
  if (E.isLeft(report)) return E.left({ _tag: 'Report', error: report.left._tag === 'WriteFailed' ? { ...report.left, path: staged.shown(report.left.path) } : report.left });
  lap('report', since);
  seconds.total = round((performance.now() - started) / 1000);
  const record: RunRecord = {
    format: RUN_FORMAT,
    ...provenance,
    settings: { ...settings, out: folder.dir },
    prompts: probe.right.prompts,
    timings: { seconds, probeStages: probe.right.seconds },
    modelFiles: info.files,
  };
  const wroteRecord = await writeFile(staged.runRecord, record, staged.shown);
  if (E.isLeft(wroteRecord)) return wroteRecord;
  const stoppedInReport = stopped();
  if (stoppedInReport) return stoppedInReport;
  const published = await publishOutputs(folder.dir).then(
    () => E.right(true),
    (error: NodeJS.ErrnoException) => E.left<StudyError, true>({ _tag: 'WriteFailed', path: staged.shown((error as { dest?: string }).dest ?? error.path ?? folder.dir), reason: errorReason(error) }),
  );
  if (E.isLeft(published)) return published;
  return E.right({ folder, tinyModel: probe.right.model.kind === 'tiny-seeded', results, prompts: probe.right.prompts, device: probe.right.device, requestedDevice: settings.device, deviceFallbacks: probe.right.fallbacks, seconds });
}

/** The stimulus set loaded and validated with the tokenizer in `tokenizerDir` (the packaged one when undefined), `textLength` tokens per prompt. */
async function checkedStimuli(nameOrFile: string, tokenizerDir: string | undefined, textLength: number) {
  const tokenizer = await loadQwen3Tokenizer(tokenizerDir);
  if (E.isLeft(tokenizer)) return E.left<StudyError, never>({ _tag: 'Tokenizer', error: tokenizer.left });
  const stimuli = runStimuli(nameOrFile, qwen3TokenCounter(tokenizer.right, textLength));
  return E.map((checked: RunStimuli) => ({ tokenizer: tokenizer.right, textLength, stimuli: checked }))(stimuli);
}

/** Tokens per prompt of the folder's text encoder: its config's `maxLength`, else `DEFAULT_TEXT_LENGTH`. */
function textLengthOf(folder: ModelFolder): number {
  const configured = folder.manifest?.textEncoder?.config.maxLength;
  return typeof configured === 'number' && Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_TEXT_LENGTH;
}

async function writeFile(file: string, value: unknown, shown: (file: string) => string): Promise<E.Either<StudyError, true>> {
  return writeJsonFile(file, value).then(
    () => E.right(true),
    (error: unknown) => E.left({ _tag: 'WriteFailed', path: shown(file), reason: errorReason(error) }),
  );
}

/** Where the outputs are staged before publishing, and the published path a staged one stands for (for messages). */
function stagedPaths(folder: RunFolder, staging: string) {
  return {
    activations: path.join(staging, path.relative(folder.dir, folder.activations)),
    results: path.join(staging, path.relative(folder.dir, folder.results)),
    runRecord: path.join(staging, path.relative(folder.dir, folder.runRecord)),
    shown: (file: string): string => (file.startsWith(staging + path.sep) ? path.join(folder.dir, path.relative(staging, file)) : file),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
