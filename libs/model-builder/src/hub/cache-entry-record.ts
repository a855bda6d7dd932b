import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { jsonFileText, MODEL_MANIFEST_FILE, syncFolder, writeJsonFile } from '@moral-plantain/formats';
import type { ModelBuildChoices } from './model-cache.js';
import type { ModelSource } from './model-source.js';

/** The file of a model cache entry that records what it was built from; its modification time is when the entry was last used. */
export const CACHE_ENTRY_FILE = 'cache-entry.json';

/** The `format` of `cache-entry.json`. */
export const CACHE_ENTRY_FORMAT = 'moral-plantain/model-cache-entry@1';

/** What a cache entry was built from: a Hub repo's snapshot (the revision asked for and the commit it named), or a pipeline folder and its fingerprint. */
export type CacheEntrySource =
  | { readonly kind: 'hub'; readonly repoId: string; readonly revision: string; readonly commit: string; readonly snapshot: string }
  | { readonly kind: 'folder'; readonly dir: string; readonly fingerprint: string };

/** `cache-entry.json`: the source and build options of a model cache entry, and when it was built. */
export interface CacheEntryRecord {
  readonly format: typeof CACHE_ENTRY_FORMAT;
  /** The entry's cache key (its folder name). */
  readonly key: string;
  readonly source: CacheEntrySource;
  /** The build options hashed into the key (empty: the defaults). */
  readonly build: ModelBuildChoices;
  /** When the build finished (ISO 8601). */
  readonly builtAt: string;
}

/** The record of an entry built (or found) under `key` from `source` with `choices`. */
export function cacheEntryRecord(key: string, source: ModelSource, choices: ModelBuildChoices, builtAt: Date): CacheEntryRecord {
  const from: CacheEntrySource =
    source.kind === 'hub' ? { kind: 'hub', repoId: source.repoId, revision: source.revision, commit: source.commit, snapshot: source.dir } : { kind: 'folder', dir: source.dir, fingerprint: source.fingerprint };
  return { format: CACHE_ENTRY_FORMAT, key, source: from, build: choices, builtAt: builtAt.toISOString() };
}

/** Writes the record into a folder being built (atomically: it is renamed into the cache with the folder). */
export async function writeCacheEntryRecord(dir: string, record: CacheEntryRecord): Promise<void> {
  await writeJsonFile(path.join(dir, CACHE_ENTRY_FILE), record);
}

/** The record of the entry in `dir`, or null when it has none or one that is not valid (an entry of unknown source). */
export async function readCacheEntryRecord(dir: string): Promise<CacheEntryRecord | null> {
  const text = await readFile(path.join(dir, CACHE_ENTRY_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return parseCacheEntryRecord(JSON.parse(text), path.basename(dir));
  } catch {
    return null;
  }
}

/**
 * Records that the entry in `dir` was used now: touches its `cache-entry.json`, or writes one
 * (`record()`, built when the entry's model.json was written) into an entry built before entries
 * recorded their source. Best effort, never an error (a read-only cache is still usable), and it
 * never creates `dir`: an entry removed meanwhile stays removed.
 */
export async function markCacheEntryUsed(dir: string, record: (builtAt: Date) => CacheEntryRecord): Promise<void> {
  const file = path.join(dir, CACHE_ENTRY_FILE);
  const now = new Date();
  if (await utimes(file, now, now).then(() => true, () => false)) return;
  const built = await stat(path.join(dir, MODEL_MANIFEST_FILE)).catch(() => null);
  if (built === null) return;
  const temp = path.join(dir, `.${CACHE_ENTRY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx' creates the file only in a folder that still exists; no mkdir.
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(jsonFileText(record(built.mtime)));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await syncFolder(dir);
  } catch {
    await rm(temp, { force: true });
  }
}

function parseCacheEntryRecord(value: unknown, key: string): CacheEntryRecord | null {
  if (!isRecord(value) || value.format !== CACHE_ENTRY_FORMAT || value.key !== key) return null;
  if (!isRecord(value.build) || typeof value.builtAt !== 'string' || Number.isNaN(Date.parse(value.builtAt))) return null;
  const source = value.source;
  if (!isRecord(source)) return null;
  const strings = (...names: string[]) => names.every((name) => typeof source[name] === 'string' && source[name] !== '');
  if (source.kind === 'hub' ? !strings('repoId', 'revision', 'commit', 'snapshot') : source.kind !== 'folder' || !strings('dir', 'fingerprint')) return null;
  return value as unknown as CacheEntryRecord;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
