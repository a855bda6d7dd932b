import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { hubCacheDir, type HubEnvironment } from './hub-cache.js';
import { listModelCache } from './model-cache-entries.js';
import { describeModelCacheProblem } from './model-cache-problem.js';
import { moralPlantainCacheDir } from './model-cache.js';

/** Where the model caches a run reads are, and what they hold (`moral-plantain env`). */
export interface ModelCaches {
  /** The Hugging Face hub cache, as `huggingface_hub` finds it, and the model repos downloaded into it. */
  readonly huggingFace: { readonly dir: string; readonly exists: boolean; readonly repos: readonly string[] };
  /** Our model cache (`models/` of `moralPlantainCacheDir`): its entries, the folders of builds and removals that are not entries, all of it in bytes, and why it could not be read. */
  readonly models: { readonly dir: string; readonly exists: boolean; readonly entries: number; readonly incomplete: number; readonly bytes: number; readonly problem: string | null };
}

/** The Hugging Face hub cache and our model cache, as `env` reports them: folders, repos downloaded, entries built and their size. */
export async function modelCaches(env: HubEnvironment = process.env): Promise<ModelCaches> {
  const hub = hubCacheDir(env);
  const names = await readdir(hub).then(
    (list) => list,
    () => null,
  );
  const repos = (names ?? []).filter((name) => name.startsWith('models--')).map((name) => name.slice('models--'.length).split('--').join('/')).sort();
  const listing = await listModelCache(env);
  const models = E.isRight(listing)
    ? { dir: listing.right.modelsDir, exists: listing.right.exists, entries: listing.right.entries.length, incomplete: listing.right.builds.length + listing.right.leftovers.length, bytes: listing.right.bytes, problem: null }
    : { dir: path.join(moralPlantainCacheDir(env), 'models'), exists: false, entries: 0, incomplete: 0, bytes: 0, problem: describeModelCacheProblem(listing.left).message };
  return { huggingFace: { dir: hub, exists: names !== null, repos }, models };
}
