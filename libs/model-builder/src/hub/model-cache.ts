import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { canonicalJson, errorReason, MODEL_MANIFEST_FILE, processState, sha256, syncFolder } from '@moral-plantain/formats';
import { buildModelFolder } from '../model-folder/build-model-folder.js';
import { planModelBuild, type ModelBuildRequest } from '../model-folder/model-build-plan.js';
import type { ModelBuildProblem } from '../model-folder/model-build-problem.js';
import { withSnapshotIncomplete } from './snapshot-problems.js';
import { cacheEntryRecord, markCacheEntryUsed, writeCacheEntryRecord } from './cache-entry-record.js';
import type { HubEnvironment } from './hub-cache.js';
import { parseModelCacheFolderName, privateCacheFolderName, removeCacheFolder } from './model-cache-folders.js';
import type { ModelSource } from './model-source.js';

/** The `format` hashed into every model cache key (a change invalidates the cache). */
export const MODEL_CACHE_FORMAT = 'moral-plantain/model-cache@1';

/** The build options that shape the folder built from a source (everything of `model build` but where it goes and what it reads). */
export type ModelBuildChoices = Omit<ModelBuildRequest, 'out' | 'from' | 'weights' | 'config' | 'preset' | 'random' | 'seed' | 'defaultTokenizerDir'>;

/** A model folder built from a source into our cache, or found there. */
export interface CachedModel {
  /** `<cache>/models/<key>`. */
  readonly dir: string;
  readonly key: string;
  /** Whether the folder was there already (no build). */
  readonly reused: boolean;
  readonly source: ModelSource;
}

/** Our cache folder: `$MORAL_PLANTAIN_CACHE`, else `$XDG_CACHE_HOME/moral-plantain`, else `~/.cache/moral-plantain`. */
export function moralPlantainCacheDir(env: HubEnvironment = process.env): string {
  return env.MORAL_PLANTAIN_CACHE || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'moral-plantain');
}

/** The key of a build: the source (repo id and commit, or the folder's fingerprint) and the build choices, as canonical JSON hashed. */
export function modelCacheKey(source: ModelSource, choices: ModelBuildChoices): string {
  const from = source.kind === 'hub' ? { hub: source.repoId, commit: source.commit } : { folder: source.fingerprint };
  return sha256(canonicalJson({ format: MODEL_CACHE_FORMAT, source: from, build: choices as Record<string, unknown> }));
}

/**
 * The ONNX model folder built from `source` with `choices`, from our cache (`models/<key>/`) when
 * built before, else built now: into a private folder beside the entry (`.<key>.building-<host>-<pid>-<hex>`),
 * which is renamed to `<key>` only when complete. A kill leaves at most a building folder, never
 * trusted and removed by the next build once its process is gone; of builders racing for one key,
 * the first to finish publishes and the others keep its folder and drop their own. A Hub snapshot
 * records its repo id as the folder's base model. Each entry records its source, build options and
 * build time in `cache-entry.json` (written before the rename), whose modification time a reuse
 * touches: when the entry was last used (`listModelCache`).
 */
export async function cachedModelBuild(
  source: ModelSource,
  choices: ModelBuildChoices,
  options: { readonly defaultTokenizerDir: string | null; readonly env?: HubEnvironment; readonly onBuild?: (dir: string) => void },
): Promise<E.Either<NEA.NonEmptyArray<ModelBuildProblem>, CachedModel>> {
  const key = modelCacheKey(source, choices);
  const models = path.join(moralPlantainCacheDir(options.env), 'models');
  const dir = path.join(models, key);
  if (existsSync(path.join(dir, MODEL_MANIFEST_FILE))) {
    await markCacheEntryUsed(dir, (builtAt) => cacheEntryRecord(key, source, choices, builtAt));
    return E.right({ dir, key, reused: true, source });
  }
  const made = await mkdir(models, { recursive: true }).then(() => null, errorReason);
  if (made !== null) return E.left([{ _tag: 'WriteFailed', path: models, reason: made }]);
  await removeDeadBuilds(models, key);
  const building = path.join(models, privateCacheFolderName(key, 'building'));
  const plan = await planModelBuild({
    ...choices,
    out: building,
    from: source.dir,
    defaultTokenizerDir: options.defaultTokenizerDir,
    ...(source.kind === 'hub' && choices.baseModel === undefined ? { baseModel: source.repoId } : {}),
  });
  if (E.isLeft(plan)) return E.left(source.kind === 'hub' ? withSnapshotIncomplete(plan.left, source) : plan.left);
  options.onBuild?.(dir);
  const built = await buildModelFolder(plan.right);
  if (E.isLeft(built)) {
    await rm(building, { recursive: true, force: true });
    return built;
  }
  const recorded = await writeCacheEntryRecord(building, cacheEntryRecord(key, source, choices, new Date())).then(() => null, errorReason);
  if (recorded !== null) {
    await rm(building, { recursive: true, force: true });
    return E.left([{ _tag: 'WriteFailed', path: building, reason: recorded }]);
  }
  const publish = () =>
    rename(building, dir).then(
      () => true,
      (error: NodeJS.ErrnoException) => (error.code === 'ENOTEMPTY' || error.code === 'EEXIST' ? false : error),
    );
  let published = await publish();
  // A folder under the key without model.json is no entry (a removal cut short by hand, say): set it aside and publish ours.
  if (published === false && !existsSync(path.join(dir, MODEL_MANIFEST_FILE)) && (await removeCacheFolder(models, key, dir).catch(() => false))) published = await publish();
  if (published instanceof Error) {
    await rm(building, { recursive: true, force: true });
    return E.left([{ _tag: 'WriteFailed', path: dir, reason: errorReason(published) }]);
  }
  if (!published) await rm(building, { recursive: true, force: true });
  else await syncFolder(models);
  return E.right({ dir, key, reused: !published, source });
}

/** Removes building folders of `key` whose process, on this machine, is gone (a killed build). */
async function removeDeadBuilds(models: string, key: string): Promise<void> {
  for (const entry of await readdir(models).catch(() => [] as string[])) {
    // The building folder, or the staging folder of its build (`..<key>.building-....partial-...`).
    const name = parseModelCacheFolderName(entry);
    if (name?.kind === 'building' && name.key === key && processState(name.host, name.pid) === 'gone') await rm(path.join(models, entry), { recursive: true, force: true });
  }
}
