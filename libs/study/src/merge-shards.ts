import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { cacheEntryPath, errorReason, readCachedUnits, stageOutputs, writeActivations, writeCachedUnits } from '@moral-plantain/formats';
import { assembleActivations, type ProbeResult } from '@moral-plantain/model-runtime';
import type { ProbeResults } from '@moral-plantain/stats';
import { runFolder, type RunFolder } from './run-folder.js';
import { acquireRunLock } from './run-lock.js';
import { shardText } from './run-shard.js';
import { shardDifferences } from './shard-identity.js';
import type { ShardError } from './shard-error.js';
import { readShardRecords, type FoundShardRecord } from './shard-record.js';
import type { StudyError } from './study-error.js';
import { finishStudy, publishedPath, round } from './study-outputs.js';
import type { StudyOptions } from './run-study.js';

/** Options of `mergeShards`. */
export interface MergeOptions extends Pick<StudyOptions, 'progress' | 'signal'> {
  /** The run folder to write (it may be one of the shard folders). */
  readonly out: string;
  /** Merge only the shards of a run divided into this many (records of other divisions are ignored); default: whatever the records say. */
  readonly shards?: number;
}

/** What a merge wrote. */
export interface MergeOutcome {
  readonly folder: RunFolder;
  readonly shards: number;
  readonly tinyModel: boolean;
  readonly results: ProbeResults;
  readonly prompts: ProbeResult['prompts'];
  /** The device the shards' transformers ran on; null when every prompt came from the cache. */
  readonly device: string | null;
  readonly seconds: Readonly<Record<string, number>>;
}

/**
 * Merges the shards of one run (`runShard`) into one run folder, the same as the undivided run
 * would have written (activations, statistics, report, run.json; only times differ): the shard
 * records of every folder in `dirs` must cover shards 1 to n of one run, with the same settings,
 * model, stimuli and packages, run on one kind of device; their prompts' vectors are read from the
 * folders' caches (and copied into the merged folder's cache). The model is not needed. The merged
 * folder is locked while it is written, and its outputs are published as one set.
 */
export function mergeShards(dirs: readonly string[], options: MergeOptions): TE.TaskEither<StudyError, MergeOutcome> {
  return async () => {
    const started = performance.now();
    const shards = (error: ShardError): E.Either<StudyError, never> => E.left({ _tag: 'Shards', error });
    const folders = [...new Set(dirs.map((dir) => runFolder(dir).dir))].map(runFolder);
    const found: (FoundShardRecord & { readonly folder: RunFolder })[] = [];
    const invalid = [];
    for (const folder of folders) {
      const read = await readShardRecords(folder.cache.shards);
      if (E.isLeft(read)) invalid.push(...read.left);
      else found.push(...read.right.filter((r) => options.shards === undefined || r.record.shard.count === options.shards).map((r) => ({ ...r, folder })));
    }
    if (invalid.length > 0) return shards({ _tag: 'ShardRecordsInvalid', problems: invalid });
    const [first] = found;
    if (first === undefined) return shards({ _tag: 'NoShardRecords', dirs: folders.map((f) => f.dir) });
    for (const other of found.slice(1)) {
      const differences = shardDifferences(first.record, other.record);
      if (differences.length > 0) return shards({ _tag: 'ShardsDiffer', differences, files: [first.file, other.file] });
    }
    const devices = [...new Map(found.flatMap((f) => (f.record.device === null ? [] : [[f.record.device, { device: f.record.device, file: f.file }] as const]))).values()];
    if (devices.length > 1) return shards({ _tag: 'ShardDevicesDiffer', devices });
    const count = first.record.shard.count;
    const byIndex = new Map<number, FoundShardRecord & { readonly folder: RunFolder }>();
    for (const f of found) if (!byIndex.has(f.record.shard.index)) byIndex.set(f.record.shard.index, f);
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
    if (missing.length > 0) return shards({ _tag: 'ShardsMissing', count, missing, dirs: folders.map((f) => f.dir) });

    const { settings, manifest, keys, batches } = first.record;
    const vectors = new Map<string, Float32Array>();
    for (const shard of [...byIndex.values()].sort((a, b) => a.record.shard.index - b.record.shard.index)) {
      const { first: from, end } = shard.record.batches;
      const places = [shard.folder, ...folders.filter((f) => f !== shard.folder)];
      for (const { prompt, key } of keys.slice(from * settings.batchSize, end * settings.batchSize)) {
        let vector: Float32Array | null = null;
        for (const place of places) if (vector === null) vector = await readCachedUnits(place.cache.prompts, key, manifest.totalUnits);
        if (vector === null) return shards({ _tag: 'ShardEntryMissing', prompt, shard: shardText(shard.record.shard), dir: shard.folder.cache.prompts });
        vectors.set(prompt, vector);
      }
    }
    if (vectors.size !== keys.length || batches.total === 0) {
      return shards({ _tag: 'ShardRecordsInvalid', problems: [{ file: first.file, problems: [`the shards' batches cover ${vectors.size} of the run's ${keys.length} prompts`] }] });
    }

    const folder = runFolder(options.out);
    const made = await mkdir(folder.dir, { recursive: true }).then(
      () => null,
      (error: unknown) => errorReason(error),
    );
    if (made !== null) return E.left({ _tag: 'OutFolderUnusable', dir: folder.dir, reason: made });
    const lock = await acquireRunLock(folder.lock, folder.dir, {
      onLost: () => options.progress.log(`warning: another process took over the lock of ${folder.dir} (this merge stopped refreshing it for too long); the outputs of both may be mixed: merge again into a fresh folder`),
    })();
    if (E.isLeft(lock)) return lock;
    try {
      const staging = await stageOutputs(folder.dir).then(
        (dir) => E.right(dir),
        (error: unknown) => E.left<StudyError, string>({ _tag: 'OutFolderUnusable', dir: folder.dir, reason: errorReason(error) }),
      );
      if (E.isLeft(staging)) return staging;
      const shown = publishedPath(folder, staging.right);
      const activations = assembleActivations(first.record.pairs, vectors, manifest, first.record.metadata);
      const activationsFile = path.join(staging.right, path.relative(folder.dir, folder.activations));
      const wrote = await writeActivations(activationsFile, activations).then(
        () => null,
        (error: unknown) => errorReason(error),
      );
      if (wrote !== null) return E.left({ _tag: 'WriteFailed', path: shown(activationsFile), reason: wrote });
      // The merged folder's cache gets every entry, so a later run into it finds them all.
      for (const { prompt, key } of keys) {
        if (existsSync(cacheEntryPath(folder.cache.prompts, key))) continue;
        const copied = await writeCachedUnits(folder.cache.prompts, key, vectors.get(prompt)!, prompt).then(
          () => null,
          (error: unknown) => errorReason(error),
        );
        if (copied !== null) return E.left({ _tag: 'WriteFailed', path: cacheEntryPath(folder.cache.prompts, key), reason: copied });
      }
      const records = [...byIndex.values()].map((f) => f.record);
      const prompts = { total: keys.length, computed: sum(records.map((r) => r.prompts.computed)), cached: sum(records.map((r) => r.prompts.cached)) };
      const stages = ['tap', 'load', 'encode', 'transformer', 'total'] as const;
      const probeStages = Object.fromEntries(stages.map((stage) => [stage, sum(records.map((r) => r.timings.probeStages[stage]))])) as ProbeResult['seconds'];
      const device = devices[0]?.device ?? null;
      // What the shard that ran on that device met on the way to it (the same as its peers', on one kind of machine).
      const ran = records.find((r) => r.device === device) ?? first.record;
      const seconds: Record<string, number> = { merge: round((performance.now() - started) / 1000) };
      const results = await finishStudy(folder, staging.right, activations, {
        settings: { ...settings, out: folder.dir, shard: null },
        prompts,
        probeStages,
        describe: async () => ({
          provenance: { ...first.record.provenance, device, requestedDevice: settings.device, deviceFallbacks: ran.provenance.deviceFallbacks ?? [], createdAt: new Date().toISOString() },
          modelFiles: first.record.modelFiles,
          ...(first.record.modelSource ? { modelSource: first.record.modelSource } : {}),
        }),
        seconds,
        started,
        progress: options.progress,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (E.isLeft(results)) return results;
      return E.right({ folder, shards: count, tinyModel: first.record.provenance.model?.kind === 'tiny-seeded', results: results.right, prompts, device, seconds });
    } finally {
      options.progress.finish();
      await lock.right();
    }
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
