import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { isHubRepoId } from '@moral-plantain/formats';

/** The environment variables that place the Hugging Face cache (as `huggingface_hub.constants` reads them). */
export type HubEnvironment = Readonly<Record<string, string | undefined>>;

/** A full commit hash, as the Hub client tells one from a branch or tag (`REGEX_COMMIT_HASH`). */
const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** A snapshot of a Hub model repo found in the local Hugging Face cache. */
export interface HubSnapshot {
  readonly repoId: string;
  /** The revision asked for (`main` by default): a branch, a tag or a commit hash. */
  readonly revision: string;
  /** The commit hash the revision resolved to. */
  readonly commit: string;
  /** `<cache>/models--org--name/snapshots/<commit>`: its files are symlinks into `blobs/`. */
  readonly dir: string;
}

/** Why a repo id could not be resolved in the local Hugging Face cache. */
export interface HubSnapshotMissing {
  readonly _tag: 'HubSnapshotMissing';
  readonly repoId: string;
  readonly revision: string;
  readonly cacheDir: string;
  /** What is missing, in words. */
  readonly reason: string;
}

/**
 * The Hugging Face hub cache folder, as `huggingface_hub` resolves it: `$HF_HUB_CACHE`, else the
 * legacy `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
 * else `~/.cache/huggingface/hub` (with `~` expanded).
 */
export function hubCacheDir(env: HubEnvironment = process.env): string {
  const expand = (p: string) => (p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p);
  const hubCache = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE;
  if (hubCache) return expand(hubCache);
  const home = env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'huggingface');
  return path.join(expand(home), 'hub');
}

/** The cache folder of a model repo: `models--{org}--{name}` (`repo_folder_name`, `REPO_ID_SEPARATOR` `--`). */
export function hubRepoFolder(repoId: string, env: HubEnvironment = process.env): string {
  return path.join(hubCacheDir(env), ['models', ...repoId.split('/')].join('--'));
}

/** Whether `value` names a Hub repo (`org/name`) rather than a folder on disk. */
export function looksLikeHubRepoId(value: string): boolean {
  return isHubRepoId(value) && !existsSync(value);
}

/**
 * Resolves a model repo in the local Hugging Face cache as `snapshot_download(local_files_only=True)`
 * does: a commit hash names `snapshots/<hash>` directly; a branch or tag is read from
 * `refs/<revision>` (a file holding the commit hash). Nothing is downloaded: a repo or revision not
 * in the cache is a `HubSnapshotMissing` that says how to download it.
 */
export async function resolveHubSnapshot(repoId: string, revision = 'main', env: HubEnvironment = process.env): Promise<E.Either<HubSnapshotMissing, HubSnapshot>> {
  const cacheDir = hubCacheDir(env);
  const missing = (reason: string) => E.left<HubSnapshotMissing>({ _tag: 'HubSnapshotMissing', repoId, revision, cacheDir, reason });
  const repo = hubRepoFolder(repoId, env);
  if (!isDirectory(repo)) return missing(`${repo} does not exist`);
  let commit = revision;
  if (!COMMIT_HASH.test(revision)) {
    const ref = path.join(repo, 'refs', revision);
    const read = await readFile(ref, 'utf8').catch(() => null);
    if (read === null) return missing(`there is no ${ref} (the revision was never downloaded)`);
    commit = read.trim();
    if (!COMMIT_HASH.test(commit)) return missing(`${ref} holds ${JSON.stringify(commit.slice(0, 80))}, not a commit hash`);
  }
  const dir = path.join(repo, 'snapshots', commit);
  if (!isDirectory(dir)) return missing(`there is no snapshot ${dir}`);
  return E.right({ repoId, revision, commit, dir });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
