import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { isHubRepoId } from '@moral-plantain/formats';
import type { ModelCacheBuild, ModelCacheEntry, ModelCacheLeftover, ModelCacheListing } from './model-cache-entries.js';
import { MIN_KEY_PREFIX, type ModelCacheProblem } from './model-cache-problem.js';

/** What to remove from the model cache; selectors add up, `olderThanDays` narrows the entries. */
export interface ModelCacheRemovalRequest {
  /** Entry keys or key prefixes (at least `MIN_KEY_PREFIX` hex digits), Hub repo ids (every entry built from one), or pipeline folders (every entry built from one). Default none. */
  readonly targets?: readonly string[];
  /** Only entries last used more than this many days ago; without targets or `all`, every such entry. Default: any age. */
  readonly olderThanDays?: number;
  /** Every entry and every folder of a killed build (default false). */
  readonly all?: boolean;
  /** The folders of killed builds and entries without model.json (default false). */
  readonly incomplete?: boolean;
  /** The moment `olderThanDays` counts back from (default now). */
  readonly now?: Date;
}

/** Folders of the cache, by kind, and their bytes. */
export interface ModelCacheFolders {
  readonly entries: readonly ModelCacheEntry[];
  readonly builds: readonly ModelCacheBuild[];
  readonly leftovers: readonly ModelCacheLeftover[];
  readonly bytes: number;
}

/** What a removal would take away, and what it leaves alone. */
export interface ModelCacheRemovalPlan extends ModelCacheFolders {
  readonly modelsDir: string;
  /** Entries chosen but kept: a build of the same key is running (or runs on another machine). */
  readonly refused: readonly ModelCacheEntry[];
  /** Builds chosen but left alone: their process runs (or runs on another machine). */
  readonly liveBuilds: readonly ModelCacheBuild[];
}

/**
 * What `request` removes from the cache `listing` describes: the entries it names (every problem
 * with its targets at once), the folders of killed builds it asks for, and always what interrupted
 * removals left. Entries a live build of their key is writing, and live builds, are left alone.
 */
export function planModelCacheRemoval(listing: ModelCacheListing, request: ModelCacheRemovalRequest): E.Either<NEA.NonEmptyArray<ModelCacheProblem>, ModelCacheRemovalPlan> {
  const { targets = [], olderThanDays, all = false, incomplete = false, now = new Date() } = request;
  const problems: ModelCacheProblem[] = [];
  if (olderThanDays !== undefined && !(Number.isFinite(olderThanDays) && olderThanDays >= 0)) problems.push({ _tag: 'InvalidAge', days: olderThanDays });
  if (targets.length === 0 && olderThanDays === undefined && !all && !incomplete) problems.push({ _tag: 'NothingChosen' });
  const entries = new Set<ModelCacheEntry>(all || (targets.length === 0 && olderThanDays !== undefined) ? listing.entries : []);
  const builds = new Set<ModelCacheBuild>(all || incomplete ? listing.builds : []);
  const leftovers = new Set<ModelCacheLeftover>(listing.leftovers.filter((l) => l.kind === 'removing' || all || incomplete));
  for (const target of targets) {
    const matched = matchTarget(listing, target);
    if (E.isLeft(matched)) problems.push(matched.left);
    else {
      matched.right.entries.forEach((e) => entries.add(e));
      matched.right.builds.forEach((b) => builds.add(b));
      matched.right.leftovers.forEach((l) => leftovers.add(l));
    }
  }
  const [first, ...rest] = problems;
  if (first !== undefined) return E.left([first, ...rest]);
  const cutoff = olderThanDays === undefined ? Infinity : now.getTime() - olderThanDays * 86_400_000;
  const live = new Set(listing.builds.filter((b) => b.state !== 'gone').map((b) => b.key));
  const old = [...entries].filter((e) => e.lastUsedAt.getTime() < cutoff);
  const chosen = {
    entries: old.filter((e) => !live.has(e.key)),
    builds: [...builds].filter((b) => b.state === 'gone'),
    leftovers: [...leftovers].filter((l) => l.state === 'gone'),
  };
  return E.right({
    modelsDir: listing.modelsDir,
    ...chosen,
    bytes: [...chosen.entries, ...chosen.builds, ...chosen.leftovers].reduce((sum, f) => sum + f.bytes, 0),
    refused: old.filter((e) => live.has(e.key)),
    liveBuilds: [...builds].filter((b) => b.state !== 'gone'),
  });
}

/** The folders one target names: a key or key prefix, a Hub repo id or a pipeline folder. */
function matchTarget(listing: ModelCacheListing, target: string): E.Either<ModelCacheProblem, Omit<ModelCacheFolders, 'bytes'>> {
  if (/^[0-9a-f]+$/i.test(target)) {
    const prefix = target.toLowerCase();
    if (prefix.length < MIN_KEY_PREFIX) return E.left({ _tag: 'KeyPrefixTooShort', prefix: target });
    const keyed = <T extends { readonly key: string }>(list: readonly T[]) => list.filter((f) => f.key.startsWith(prefix));
    const found = { entries: keyed(listing.entries), builds: keyed(listing.builds), leftovers: keyed(listing.leftovers) };
    const keys = [...new Set([...found.entries, ...found.builds, ...found.leftovers].map((f) => f.key))].sort();
    if (keys.length > 1) return E.left({ _tag: 'AmbiguousKeyPrefix', prefix: target, keys });
    return keys.length === 0 ? E.left({ _tag: 'UnknownCacheTarget', target, modelsDir: listing.modelsDir }) : E.right(found);
  }
  const folder = path.resolve(target);
  const entries = listing.entries.filter(({ record, model }) => {
    if (record === null) return isHubRepoId(target) && model?.baseModel === target;
    return record.source.kind === 'hub' ? record.source.repoId === target : record.source.dir === folder;
  });
  return entries.length === 0 ? E.left({ _tag: 'UnknownCacheTarget', target, modelsDir: listing.modelsDir }) : E.right({ entries, builds: [], leftovers: [] });
}
