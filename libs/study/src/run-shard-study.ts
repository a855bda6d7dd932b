import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { errorReason, hostName, processState, writeJsonFile } from '@moral-plantain/formats';
import { openModelFolder, runProbePart, type ProbePart } from '@moral-plantain/model-runtime';
import { recordedModelFolder } from './model-files.js';
import { packageVersions } from './package-versions.js';
import { runFolder, type RunFolder } from './run-folder.js';
import { runProvenance } from './run-provenance.js';
import type { RunSettings } from './run-settings.js';
import { shardText, type Shard } from './run-shard.js';
import { SHARD_FORMAT, shardRecordPath, type ShardRecord } from './shard-record.js';
import type { StudyError } from './study-error.js';
import { studyInputs, studyProbeOptions } from './study-inputs.js';
import { round } from './study-outputs.js';
import type { StudyOptions } from './run-study.js';

/** What a finished shard computed, and where its record is. */
export interface ShardOutcome {
  readonly folder: RunFolder;
  readonly shard: Shard;
  /** The shard record (`.cache/shards/<i>-of-<n>.json`). */
  readonly record: string;
  readonly tinyModel: boolean;
  /** The shard's batches of the run's, and its prompts: how many, computed and from the cache. */
  readonly batches: ProbePart['batches'];
  readonly prompts: ProbePart['prompts'];
  /** Device the transformer ran on, or null when every prompt of the shard came from the cache. */
  readonly device: string | null;
  readonly seconds: Readonly<Record<string, number>>;
}

/**
 * One shard of a divided run (`settings.shard`, `run --shard i/n`): the prompts of its batches
 * (`partBatches` of the run's fixed partition) are computed into the output folder's per-prompt
 * cache, each entry written atomically, and then the shard's record (`ShardRecord`) is written
 * atomically; `mergeShards` makes the run's outputs from the records and entries. A shard takes no
 * lock: it writes only its own entries and its own record, and taps the transformer in a working
 * folder of its own (the embedded model too, unless a complete one is found in
 * `options.embeddedModelDir` or the folder's cache: it is only read), so the shards of a run may share one folder (on a
 * disk shared by several machines), and a shard run again, or twice at once, only writes the same
 * files again. Prompts already in the cache are not computed again unless `resume` is off.
 */
export function runShard(settings: RunSettings & { readonly shard: Shard }, options: StudyOptions): TE.TaskEither<StudyError, ShardOutcome> {
  return async () => {
    const folder = runFolder(settings.out);
    const work = await workFolder(folder);
    if (E.isLeft(work)) return work;
    try {
      return await shardIn(settings, folder, work.right, options);
    } finally {
      options.progress.finish();
      await rm(work.right, { recursive: true, force: true }).catch(() => undefined);
    }
  };
}

async function shardIn(settings: RunSettings & { readonly shard: Shard }, folder: RunFolder, work: string, options: StudyOptions): Promise<E.Either<StudyError, ShardOutcome>> {
  const { progress } = options;
  const started = performance.now();
  const seconds: Record<string, number> = {};
  // A complete embedded model is used where it is (the sweep's, else the folder's); else one is built in the working folder and offered to the folder afterwards.
  const candidates = [options.embeddedModelDir, folder.cache.embeddedModel].filter((dir): dir is string => dir !== undefined);
  let shared: string | null = null;
  for (const dir of settings.model === null ? candidates : []) if (shared === null && (await isEmbeddedModel(dir))) shared = dir;
  const ownModel = path.join(work, 'model-tiny');
  const inputs = await studyInputs(settings, shared ?? ownModel, progress);
  if (E.isLeft(inputs)) return inputs;
  seconds.model = round(inputs.right.modelSeconds);

  const since = performance.now();
  const part = await runProbePart(
    inputs.right.model,
    {
      ...studyProbeOptions(settings, inputs.right, progress, {
        tappedDir: path.join(work, 'tapped'),
        recompute: !settings.resume,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.sessions ? { sessions: options.sessions } : {}),
      }),
      cacheDir: folder.cache.prompts,
      embeddingsCacheDir: folder.cache.embeddings,
    },
    { index: settings.shard.index - 1, count: settings.shard.count },
  )();
  progress.finish();
  if (E.isLeft(part)) {
    const error = part.left;
    return E.left(error._tag === 'Aborted' ? { _tag: 'Interrupted', done: error.done, total: error.total, cacheDir: folder.cache.prompts } : { _tag: 'Probe', error });
  }
  seconds.probe = round((performance.now() - since) / 1000);
  for (const note of part.right.notes) progress.log(note);
  const { batches, prompts } = part.right;
  progress.log(`shard ${shardText(settings.shard)}: batches ${batches.first + 1}-${batches.end} of ${batches.total}, ${prompts.computed} prompts computed, ${prompts.cached} from the cache, on ${part.right.device ?? 'cache only'}`);

  const { set } = inputs.right.stimuli.loaded;
  const info = await recordedModelFolder(inputs.right.model);
  const provenance = runProvenance({ settings, info, set, validation: inputs.right.stimuli.validation, probe: part.right, packages: packageVersions(options.versions) });
  seconds.total = round((performance.now() - started) / 1000);
  const record: ShardRecord = {
    format: SHARD_FORMAT,
    shard: settings.shard,
    batches,
    settings: { ...settings, out: folder.dir },
    provenance,
    modelFiles: info.files,
    ...(inputs.right.source ? { modelSource: inputs.right.source } : {}),
    prompts,
    pairs: set.pairs.map((p) => ({ id: p.id, a: p.a, b: p.b })),
    keys: part.right.keys,
    manifest: part.right.manifest,
    metadata: part.right.metadata,
    device: part.right.device,
    timings: { seconds, probeStages: part.right.seconds },
    host: hostName(),
    finishedAt: new Date().toISOString(),
  };
  const file = shardRecordPath(folder.cache.shards, settings.shard);
  const written = await writeJsonFile(file, record).then(
    () => null,
    (error: unknown) => errorReason(error),
  );
  if (written !== null) return E.left({ _tag: 'WriteFailed', path: file, reason: written });
  if (settings.model === null && shared === null) await offerFolder(ownModel, folder.cache.embeddedModel);
  return E.right({ folder, shard: settings.shard, record: file, tinyModel: part.right.model.kind === 'tiny-seeded', batches, prompts, device: part.right.device, seconds });
}

/** Whether `dir` holds a complete embedded model (its model.json, written last, marks it as the tiny model). */
async function isEmbeddedModel(dir: string): Promise<boolean> {
  const opened = await openModelFolder(dir)();
  return E.isRight(opened) && opened.right.manifest?.tiny === true;
}

/**
 * Moves a complete folder to `target` when nothing is there yet: a rename onto a folder that exists
 * and is not empty fails, so a folder another process put there first is never replaced (it may be
 * in use); then ours is simply left to be removed.
 */
async function offerFolder(dir: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true }).catch(() => undefined);
  await rename(dir, target).catch(() => undefined);
}

/**
 * A new working folder for this process under the folder's `.cache/shard-work/` (`<host>-<pid>-<hex>`),
 * after removing those that runs on this host left when they were killed. Folders of other hosts
 * are left alone: whether their process lives cannot be known from here.
 */
async function workFolder(folder: RunFolder): Promise<E.Either<StudyError, string>> {
  for (const entry of await readdir(folder.cache.work).catch(() => [] as string[])) {
    const match = /^(.+)-(\d+)-[0-9a-f]{12}$/.exec(entry);
    if (match && processState(match[1] ?? '', Number(match[2])) === 'gone') await rm(path.join(folder.cache.work, entry), { recursive: true, force: true }).catch(() => undefined);
  }
  const dir = path.join(folder.cache.work, `${hostName()}-${process.pid}-${randomBytes(6).toString('hex')}`);
  return mkdir(dir, { recursive: true }).then(
    () => E.right(dir),
    (error: unknown) => E.left({ _tag: 'OutFolderUnusable', dir: folder.dir, reason: errorReason(error) }),
  );
}
