import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { hostName, syncFolder } from '@moral-plantain/formats';

/** What a name in the cache's `models/` folder is: an entry (`<key>`), the folder of a build (`.<key>.building-<host>-<pid>-<hex>`, or its staging folder `..<key>.building-....partial-...`), or an entry being removed (`.<key>.removing-<host>-<pid>-<hex>`). */
export type ModelCacheFolderName =
  | { readonly kind: 'entry'; readonly key: string }
  | { readonly kind: 'building' | 'removing'; readonly key: string; readonly host: string; readonly pid: number; /** The name of the build's (or removal's) own folder, which a staging folder belongs to. */ readonly build: string };

/** A cache key: a SHA-256 in lowercase hex. */
const KEY = '[0-9a-f]{64}';
const ENTRY = new RegExp(`^${KEY}$`);
const BUILDING = new RegExp(`^\\.{1,2}(${KEY})\\.(building|removing)-(.+?)-(\\d+)-([0-9a-f]{12})(?:\\.(?:partial|old)-.+)?$`);

/** What `name` (a folder in `models/`) is, or null for a name the cache never makes. */
export function parseModelCacheFolderName(name: string): ModelCacheFolderName | null {
  if (ENTRY.test(name)) return { kind: 'entry', key: name };
  const match = BUILDING.exec(name);
  if (!match) return null;
  const [, key, kind, host, pid, hex] = match as unknown as [string, string, 'building' | 'removing', string, string, string];
  const build = `.${key}.${kind}-${host}-${pid}-${hex}`;
  // A removal has no staging folder: only its own name is one.
  if (kind === 'removing' && name !== build) return null;
  return { kind, key, host, pid: Number(pid), build };
}

/** The private name of a folder of this process beside entry `key`: `.<key>.building-<host>-<pid>-<hex>` while it is built, `.<key>.removing-...` while it is removed. */
export function privateCacheFolderName(key: string, kind: 'building' | 'removing'): string {
  return `.${key}.${kind}-${hostName()}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Removes the folder `dir` of `key` in `models` crash-safely: renamed to a removing folder (never trusted, deleted by the next removal), then deleted; false when it was gone already. */
export async function removeCacheFolder(models: string, key: string, dir: string): Promise<boolean> {
  const removing = path.join(models, privateCacheFolderName(key, 'removing'));
  const renamed = await rename(dir, removing).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  if (!renamed) return false;
  await syncFolder(models);
  await rm(removing, { recursive: true, force: true });
  return true;
}
