import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { errorReason, stageOutputs } from '@moral-plantain/formats';
import { qwen3Tokenize, runProbe, type Device, type DeviceFallback, type ProbeResult, type ResolvedDevice, type SessionPool } from '@moral-plantain/model-runtime';
import type { ProbeResults } from '@moral-plantain/stats';
import { recordedModelFolder } from './model-files.js';
import { packageVersions } from './package-versions.js';
import { runFolder, type RunFolder } from './run-folder.js';
import { acquireRunLock } from './run-lock.js';
import { runProvenance } from './run-provenance.js';
import { runReferences, type RunReferences } from './run-references.js';
import type { RunSettings } from './run-settings.js';
import type { StudyError } from './study-error.js';
import { studyInputs, studyProbeOptions } from './study-inputs.js';
import { finishStudy, publishedPath, round } from './study-outputs.js';
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
  /** Where the embedded tiny model is found or built (default: the output folder's cache); a sweep shares one. */
  readonly embeddedModelDir?: string;
  /** Where the tapped graph is written or reused (default: the output folder's cache); a sweep shares one. */
  readonly tappedDir?: string;
  /** Sessions shared with other studies (a sweep's), so a model loads once; default: the study's own. */
  readonly sessions?: SessionPool;
}

/**
 * The whole probe study into one output folder (`runFolder`): the model (the embedded tiny one,
 * built once into the folder's cache, or a model folder), the stimulus set validated strictly with
 * the model's own tokenizer, the tapped one-step probe with its resumable per-prompt cache, the
 * statistics, `results.json`, the report (README.md model card, figures, CSV) and `run.json`. The
 * folder is locked while the study runs. The outputs are written into a staging folder and
 * published together (`publishOutputs`, outputs.json last): after any failure or kill the folder
 * holds the whole previous set or the whole new one. (A shard of a run is `runShard`.)
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
  const shown = publishedPath(folder, staging.right);
  const activationsFile = path.join(staging.right, path.relative(folder.dir, folder.activations));
  const seconds: Record<string, number> = {};

  const inputs = await studyInputs(settings, options.embeddedModelDir ?? folder.cache.embeddedModel, progress);
  if (E.isLeft(inputs)) return inputs;
  seconds.model = round(inputs.right.modelSeconds);

  if (!settings.resume) await rm(folder.cache.prompts, { recursive: true, force: true });
  const { set } = inputs.right.stimuli.loaded;
  let since = performance.now();
  const references = await runReferences(settings, {
    folder: inputs.right.model,
    set,
    tokenize: qwen3Tokenize(inputs.right.tokenizer, { maxLength: inputs.right.textLength }),
    cacheDir: folder.cache.references,
    resolution: settings.resolution,
    progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (E.isLeft(references)) return references;
  if (references.right) seconds.references = round((performance.now() - since) / 1000);
  since = performance.now();
  const probe = await runProbe(
    inputs.right.model,
    studyProbeOptions(settings, inputs.right, progress, {
      ...(references.right ? { references: references.right.probe } : {}),
      tappedDir: options.tappedDir ?? folder.cache.tapped,
      cacheDir: folder.cache.prompts,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.sessions ? { sessions: options.sessions } : {}),
      out: activationsFile,
    }),
  )();
  progress.finish();
  if (E.isLeft(probe)) {
    const error = probe.left;
    return E.left(error._tag === 'Aborted' ? { _tag: 'Interrupted', done: error.done, total: error.total, cacheDir: folder.cache.prompts } : { _tag: 'Probe', error: error._tag === 'WriteFailed' ? { ...error, path: shown(error.path) } : error });
  }
  seconds.probe = round((performance.now() - since) / 1000);
  for (const note of probe.right.notes) progress.log(note);
  progress.log(`probe: ${probe.right.prompts.computed} prompts computed, ${probe.right.prompts.cached} from the cache, ${probe.right.activations.nUnits} units, on ${probe.right.device ?? 'cache only'}`);

  const staged = await stageGeneratedReferences(references.right, set.pairs, folder, staging.right);
  if (E.isLeft(staged)) return staged;
  const results = await finishStudy(folder, staging.right, probe.right.activations, {
    settings: { ...settings, out: folder.dir },
    prompts: probe.right.prompts,
    probeStages: probe.right.seconds,
    describe: async () => {
      const info = await recordedModelFolder(inputs.right.model);
      const provenance = runProvenance({ settings, info, set, validation: inputs.right.stimuli.validation, probe: probe.right, packages: packageVersions(options.versions), references: references.right });
      return { provenance, modelFiles: info.files };
    },
    seconds,
    started,
    progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (E.isLeft(results)) return results;
  return E.right({
    folder,
    tinyModel: probe.right.model.kind === 'tiny-seeded',
    results: results.right,
    prompts: probe.right.prompts,
    device: probe.right.device,
    requestedDevice: settings.device,
    deviceFallbacks: probe.right.fallbacks,
    seconds,
  });
}

/** Generated reference images are part of what a reader checks: they are staged to be published with the run (`references/<pair>.png`). */
async function stageGeneratedReferences(references: RunReferences | null, pairs: readonly { readonly id: string }[], folder: RunFolder, staging: string): Promise<E.Either<StudyError, true>> {
  if (references?.source !== 'generated') return E.right(true);
  for (const pair of pairs) {
    const target = path.join(staging, 'references', `${pair.id}.png`);
    const copied = await mkdir(path.dirname(target), { recursive: true })
      .then(() => copyFile(path.join(folder.cache.references, `${pair.id}.png`), target))
      .then(
        () => null,
        (error: unknown) => errorReason(error),
      );
    if (copied !== null) return E.left({ _tag: 'WriteFailed', path: publishedPath(folder, staging)(target), reason: copied });
  }
  return E.right(true);
}
