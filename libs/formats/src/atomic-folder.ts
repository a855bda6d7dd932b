import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from './atomic-write.js';
import { hostName, processState } from './process-alive.js';

/**
 * A new, empty staging folder beside `target` (`.<name>.partial-<host>-<pid>-<hex>`, on the same
 * disk so it can be renamed into place) to build a folder in, complete, before `commitFolder`
 * publishes it. Staging and set-aside folders that interrupted builds of `target` on this machine
 * left (their process gone) are removed first; those of other machines sharing the disk are left
 * alone, since their processes cannot be seen from here.
 */
export async function stagingFolder(target: string): Promise<string> {
  const parent = path.dirname(path.resolve(target));
  await mkdir(parent, { recursive: true });
  await removeLeftovers(target);
  const staging = path.join(parent, `.${path.basename(target)}.partial-${hostName()}-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(staging);
  return staging;
}

/**
 * Publishes a complete staging folder as `target` with renames, so `target` is at every moment
 * either absent, the old folder or the new one, never partly written: its files are flushed to
 * disk, an existing `target` is set aside, the staging folder is renamed into place and what was
 * set aside is removed. The caller decides beforehand whether an existing `target` may be replaced.
 */
export async function commitFolder(staging: string, target: string): Promise<void> {
  const resolved = path.resolve(target);
  await syncTree(staging);
  const aside = path.join(path.dirname(resolved), `.${path.basename(resolved)}.old-${hostName()}-${process.pid}-${randomBytes(6).toString('hex')}`);
  const setAside = await rename(resolved, aside).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  await rename(staging, resolved);
  await syncFolder(path.dirname(resolved));
  if (setAside) await rm(aside, { recursive: true, force: true });
}

/** Removes `.<name>.partial-*` and `.<name>.old-*` folders beside `target` whose process, on this machine, no longer runs (names without a host are this machine's). */
async function removeLeftovers(target: string): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  const prefix = `.${path.basename(target)}.`;
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = /^(?:partial|old)-(?:(.+)-)?(\d+)-[0-9a-f]{12}$/.exec(entry.startsWith(prefix) ? entry.slice(prefix.length) : '');
    if (match && processState(match[1] ?? hostName(), Number(match[2])) === 'gone') await rm(path.join(parent, entry), { recursive: true, force: true });
  }
}

/** Flushes every file below `dir`, and the folders, to disk. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(full);
    else if (entry.isFile()) {
      const handle = await open(full, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncFolder(dir);
}
