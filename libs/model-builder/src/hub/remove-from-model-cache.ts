import { lstat, rm } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason } from '@moral-plantain/formats';
import type { ModelCacheBuild, ModelCacheEntry, ModelCacheLeftover } from './model-cache-entries.js';
import { removeCacheFolder } from './model-cache-folders.js';
import type { ModelCacheProblem } from './model-cache-problem.js';
import type { ModelCacheFolders, ModelCacheRemovalPlan } from './model-cache-removal.js';

/**
 * Removes what `plan` chose, crash-safely: an entry (or a `<key>` folder without model.json) is
 * first renamed to `.<key>.removing-<host>-<pid>-<hex>`, which no build or listing ever trusts as
 * an entry, and only then deleted, so a kill at any moment leaves the entry whole or gone (and at
 * most a removing folder, which the next removal deletes). The folders of killed builds and of
 * interrupted removals are deleted directly. Returns what was removed; one already gone is skipped.
 */
export async function removeFromModelCache(plan: ModelCacheRemovalPlan): Promise<E.Either<ModelCacheProblem, ModelCacheFolders>> {
  const removed = { entries: [] as ModelCacheEntry[], builds: [] as ModelCacheBuild[], leftovers: [] as ModelCacheLeftover[] };
  try {
    for (const entry of plan.entries) if (await removeCacheFolder(plan.modelsDir, entry.key, entry.dir)) removed.entries.push(entry);
    for (const leftover of plan.leftovers) {
      const gone = leftover.kind === 'damaged' ? await removeCacheFolder(plan.modelsDir, leftover.key, leftover.dir) : await removeFolder(leftover.dir);
      if (gone) removed.leftovers.push(leftover);
    }
    for (const build of plan.builds) {
      let any = false;
      for (const dir of build.dirs) any = (await removeFolder(dir)) || any;
      if (any) removed.builds.push(build);
    }
  } catch (error) {
    return E.left({ _tag: 'RemoveFailed', path: (error as NodeJS.ErrnoException).path ?? plan.modelsDir, reason: errorReason(error) });
  }
  const bytes = [...removed.entries, ...removed.builds, ...removed.leftovers].reduce((sum, f) => sum + f.bytes, 0);
  return E.right({ ...removed, bytes });
}

async function removeFolder(dir: string): Promise<boolean> {
  const existed = await lstat(dir).then(() => true, () => false);
  await rm(dir, { recursive: true, force: true });
  return existed;
}
