import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason, MODEL_MANIFEST_FILE, processState, readModelManifest, type ModelManifest } from '@moral-plantain/formats';
import { CACHE_ENTRY_FILE, readCacheEntryRecord, type CacheEntryRecord } from './cache-entry-record.js';
import { folderBytes } from './folder-bytes.js';
import type { HubEnvironment } from './hub-cache.js';
import { moralPlantainCacheDir } from './model-cache.js';
import { parseModelCacheFolderName } from './model-cache-folders.js';
import type { ModelCacheProblem } from './model-cache-problem.js';

/** What a cache entry's model.json says it holds (the build options as built, whatever the record). */
export interface CachedModelSummary {
  readonly name: string;
  /** The Hugging Face repo id of the checkpoint (a Hub snapshot's repo id), or null. */
  readonly baseModel: string | null;
  /** `float` or the quantization of the transformer's linear layers (`int8`, `int4`). */
  readonly weights: 'float' | 'int8' | 'int4';
  /** Weights per quantization block, or null for float weights. */
  readonly blockSize: number | null;
  /** The text encoder's hidden states concatenated as the prompt embedding, or null without a text encoder. */
  readonly textLayers: readonly number[] | null;
  /** Whether the folder has a VAE (can draw and encode images). */
  readonly vae: boolean;
}

/** A model folder in the cache (`models/<key>/` holding a model.json). */
export interface ModelCacheEntry {
  readonly key: string;
  readonly dir: string;
  /** The bytes of its files (symbolic links not followed). */
  readonly bytes: number;
  readonly files: number;
  /** Its `cache-entry.json`: source and build options; null for an entry of unknown source (built before entries recorded it and not used since). */
  readonly record: CacheEntryRecord | null;
  /** What its model.json says, or null when that cannot be read. */
  readonly model: CachedModelSummary | null;
  readonly builtAt: Date;
  /** The last time a run reused it (or its build). */
  readonly lastUsedAt: Date;
}

/** The folders of one build in progress or killed (`.<key>.building-<host>-<pid>-<hex>` and its staging folder): never an entry. */
export interface ModelCacheBuild {
  readonly key: string;
  readonly dirs: readonly string[];
  readonly bytes: number;
  readonly host: string;
  readonly pid: number;
  /** `running`: a build of this machine still writing it; `gone`: a killed build, safe to remove; `unknown`: another machine's. */
  readonly state: 'running' | 'gone' | 'unknown';
  readonly modifiedAt: Date;
}

/** A folder that is no entry: what an interrupted removal left (`.<key>.removing-...`), or a `<key>` folder without model.json (damaged by hand). */
export interface ModelCacheLeftover {
  readonly kind: 'removing' | 'damaged';
  readonly key: string;
  readonly dir: string;
  readonly bytes: number;
  /** `removing`: whether its removal is still under way (`running`), was interrupted (`gone`) or is another machine's (`unknown`); `damaged`: `gone`. */
  readonly state: 'running' | 'gone' | 'unknown';
}

/** What the model cache holds. */
export interface ModelCacheListing {
  /** The cache folder (`moralPlantainCacheDir`). */
  readonly cacheDir: string;
  /** `<cache>/models`. */
  readonly modelsDir: string;
  /** Whether `models/` exists. */
  readonly exists: boolean;
  /** The entries, the most recently used first. */
  readonly entries: readonly ModelCacheEntry[];
  readonly builds: readonly ModelCacheBuild[];
  readonly leftovers: readonly ModelCacheLeftover[];
  /** The bytes of all of them. */
  readonly bytes: number;
}

/**
 * Lists the model cache (`$MORAL_PLANTAIN_CACHE/models`, as `moralPlantainCacheDir` finds it): each
 * entry with its size, source and build options (`cache-entry.json`), what its model.json holds,
 * when it was built and last used; the folders of builds in progress or killed, with whether their
 * process runs; and what interrupted removals left. Names the cache never makes are ignored. An
 * absent cache is an empty listing.
 */
export async function listModelCache(env: HubEnvironment = process.env): Promise<E.Either<ModelCacheProblem, ModelCacheListing>> {
  const cacheDir = moralPlantainCacheDir(env);
  const modelsDir = path.join(cacheDir, 'models');
  let names: string[];
  try {
    names = (await readdir(modelsDir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return E.left({ _tag: 'CacheUnreadable', path: modelsDir, reason: errorReason(error) });
    return E.right({ cacheDir, modelsDir, exists: false, entries: [], builds: [], leftovers: [], bytes: 0 });
  }
  const entries: ModelCacheEntry[] = [];
  const builds = new Map<string, ModelCacheBuild>();
  const leftovers: ModelCacheLeftover[] = [];
  for (const name of names) {
    const parsed = parseModelCacheFolderName(name);
    const dir = path.join(modelsDir, name);
    const info = parsed === null ? null : await stat(dir).catch(() => null);
    if (parsed === null || info === null || !info.isDirectory()) continue;
    const { bytes, files } = await folderBytes(dir);
    if (parsed.kind === 'entry') {
      const entry = await cacheEntry(parsed.key, dir, bytes, files);
      if (entry === null) leftovers.push({ kind: 'damaged', key: parsed.key, dir, bytes, state: 'gone' });
      else entries.push(entry);
    } else if (parsed.kind === 'removing') {
      leftovers.push({ kind: 'removing', key: parsed.key, dir, bytes, state: processState(parsed.host, parsed.pid) });
    } else {
      const known = builds.get(parsed.build);
      const modifiedAt = known && known.modifiedAt > info.mtime ? known.modifiedAt : info.mtime;
      builds.set(parsed.build, { key: parsed.key, dirs: [...(known?.dirs ?? []), dir], bytes: (known?.bytes ?? 0) + bytes, host: parsed.host, pid: parsed.pid, state: processState(parsed.host, parsed.pid), modifiedAt });
    }
  }
  entries.sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || a.key.localeCompare(b.key));
  const all = [...entries, ...builds.values(), ...leftovers];
  return E.right({ cacheDir, modelsDir, exists: true, entries, builds: [...builds.values()], leftovers, bytes: all.reduce((sum, f) => sum + f.bytes, 0) });
}

/** The entry in `dir`, or null when it has no model.json (never published by a build). */
async function cacheEntry(key: string, dir: string, bytes: number, files: number): Promise<ModelCacheEntry | null> {
  const manifestFile = await stat(path.join(dir, MODEL_MANIFEST_FILE)).catch(() => null);
  if (manifestFile === null) return null;
  const record = await readCacheEntryRecord(dir);
  const used = record === null ? null : await stat(path.join(dir, CACHE_ENTRY_FILE)).catch(() => null);
  const manifest = await readModelManifest(dir);
  return {
    key,
    dir,
    bytes,
    files,
    record,
    model: E.isRight(manifest) && manifest.right !== null ? modelSummary(manifest.right) : null,
    builtAt: record === null ? manifestFile.mtime : new Date(record.builtAt),
    lastUsedAt: used?.mtime ?? manifestFile.mtime,
  };
}

function modelSummary(manifest: ModelManifest): CachedModelSummary {
  const quantization = manifest.transformer.quantization;
  const layers = manifest.textEncoder?.config.outputLayers;
  return {
    name: manifest.name,
    baseModel: manifest.baseModel ?? null,
    weights: quantization ? (`int${quantization.bits}` as const) : 'float',
    blockSize: quantization?.blockSize ?? null,
    textLayers: Array.isArray(layers) && layers.every((l) => Number.isSafeInteger(l)) ? (layers as number[]) : null,
    vae: manifest.vae !== undefined && manifest.vae !== null,
  };
}
