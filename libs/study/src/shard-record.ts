import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { jsonChecks } from '@moral-plantain/formats';
import type { FolderFileInfo, ProbePair, ProbePart, PromptKey } from '@moral-plantain/model-runtime';
import type { RunProvenance } from '@moral-plantain/report';
import { parseRunRecord } from './run-record.js';
import type { RunSettings } from './run-settings.js';
import type { Shard } from './run-shard.js';
import type { ModelSourceRecord } from './sourced-model.js';

const { arrayOf, count, fail, nullable, str, stringRecord, struct } = jsonChecks;

/** Identifier written in every shard record. */
export const SHARD_FORMAT = 'moral-plantain/shard@1';

/**
 * What one shard of a divided run (`run --shard i/n`) leaves for `merge`, written atomically into
 * the folder's `.cache/shards/<i>-of-<n>.json` once every prompt of the shard is in the cache:
 * the settings and provenance of the whole run as the shard saw them, the cache key of every
 * prompt of the run, and what assembling the activations needs (the pairs, the taps manifest, the
 * activations metadata), so that shards merge without the model.
 */
export interface ShardRecord {
  readonly format: typeof SHARD_FORMAT;
  readonly shard: Shard;
  /** The shard's batches of the run's fixed partition, and the run's batch count. */
  readonly batches: ProbePart['batches'];
  /** The settings of the shard's run (`out` absolute: the folder whose cache holds its entries). */
  readonly settings: RunSettings;
  /** The provenance the run's card states (its `device` and `createdAt` are this shard's). */
  readonly provenance: RunProvenance;
  readonly modelFiles: readonly FolderFileInfo[];
  /** Where the shard's model folder was built from (a Hub snapshot or a pipeline folder); absent for a model folder given as is. */
  readonly modelSource?: ModelSourceRecord;
  /** This shard's prompts: how many, computed and from the cache. */
  readonly prompts: ProbePart['prompts'];
  readonly pairs: readonly ProbePair[];
  /** Every prompt of the run with its cache key, in order. */
  readonly keys: readonly PromptKey[];
  readonly manifest: ProbePart['manifest'];
  readonly metadata: Readonly<Record<string, string>>;
  /** Device the shard's transformer ran on, or null when all its prompts came from the cache. */
  readonly device: string | null;
  readonly timings: { readonly seconds: Readonly<Record<string, number>>; readonly probeStages: ProbePart['seconds'] };
  /** Where and when the shard finished. */
  readonly host: string;
  readonly finishedAt: string;
}

/** A shard record and the file it was read from. */
export interface FoundShardRecord {
  readonly file: string;
  readonly record: ShardRecord;
}

/** Why the shard records of a folder cannot be used. */
export interface ShardRecordProblem {
  readonly file: string;
  readonly problems: readonly string[];
}

/** The record file of `shard` in the shard-record folder `dir`. */
export function shardRecordPath(dir: string, shard: Shard): string {
  return path.join(dir, `${shard.index}-of-${shard.count}.json`);
}

/** Reads every shard record in the shard-record folder `dir` (none when it does not exist), or the problems of those that do not parse. */
export async function readShardRecords(dir: string): Promise<E.Either<readonly ShardRecordProblem[], readonly FoundShardRecord[]>> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => /^\d+-of-\d+\.json$/.test(name)).sort(byShard);
  const found: FoundShardRecord[] = [];
  const problems: ShardRecordProblem[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      problems.push({ file, problems: [`it cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`] });
      continue;
    }
    const parsed = parseShardRecord(json);
    if (E.isLeft(parsed)) problems.push({ file, problems: parsed.left });
    else found.push({ file, record: parsed.right });
  }
  return problems.length > 0 ? E.left(problems) : E.right(found);
}

/** Checks a parsed shard record: its format, its shard and the fields a merge reads; every problem at once. */
export function parseShardRecord(json: unknown): E.Either<readonly string[], ShardRecord> {
  const shape = shardShape(json, '');
  if (E.isLeft(shape)) return shape;
  const provenance = parseRunRecord((json as { provenance: unknown }).provenance);
  if (E.isLeft(provenance)) return E.left(provenance.left.map((p) => `provenance: ${p}`));
  const record = json as ShardRecord;
  const { shard, keys, manifest } = record;
  const problems: string[] = [];
  if (shard.index < 1 || shard.index > shard.count) problems.push(`shard ${shard.index}/${shard.count} is not a shard (1 <= i <= n)`);
  if (new Set(keys.map((k) => k.prompt)).size !== keys.length) problems.push('keys repeat a prompt');
  if (manifest.taps.reduce((sum, tap) => sum + tap.units, 0) !== manifest.totalUnits) problems.push('manifest.totalUnits is not the sum of its taps\' units');
  const prompts = new Set(keys.map((k) => k.prompt));
  if (!record.pairs.every((p) => prompts.has(p.a) && prompts.has(p.b))) problems.push('a pair\'s prompt has no key');
  return problems.length > 0 ? E.left(problems) : E.right(record);
}

const shardShape = struct<Record<string, unknown>>({
  format: (value, at) => (value === SHARD_FORMAT ? E.right(value) : fail(at, `must be "${SHARD_FORMAT}" (got ${JSON.stringify(value)})`)),
  shard: struct({ index: count, count: count }),
  batches: struct({ first: count, end: count, total: count }),
  settings: struct({ out: str, stimuli: str, seed: count, permutations: count, splits: count, batchSize: count, unitWidth: count }),
  provenance: struct({}),
  modelFiles: arrayOf(struct({ file: str })),
  prompts: struct({ total: count, computed: count, cached: count }),
  pairs: arrayOf(struct({ id: str, a: str, b: str })),
  keys: arrayOf(struct({ prompt: str, key: (value, at) => (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? E.right(value) : fail(at, 'must be a hex SHA-256')) })),
  manifest: struct({ totalUnits: count, taps: arrayOf(struct({ units: count, group: str })) }),
  metadata: stringRecord,
  device: nullable(str),
  host: str,
  finishedAt: str,
});

function byShard(a: string, b: string): number {
  const [ia, na] = a.split(/-of-|\.json/).map(Number) as [number, number];
  const [ib, nb] = b.split(/-of-|\.json/).map(Number) as [number, number];
  return na - nb || ia - ib;
}
