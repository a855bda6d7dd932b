import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The bytes and count of the regular files below `dir` (symbolic links are neither followed nor counted; files that vanish meanwhile are skipped). */
export async function folderBytes(dir: string): Promise<{ readonly bytes: number; readonly files: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(sub, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(sub, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const info = await lstat(full).catch(() => null);
        if (info === null) continue;
        bytes += info.size;
        files += 1;
      }
    }
  };
  await walk(dir);
  return { bytes, files };
}
