import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Lays `source` (a folder) out in a Hugging Face hub cache exactly as the Hub client (`hf download`) does:
 * `models--{org}--{name}/blobs/<sha256>` holding each file's bytes, `snapshots/<commit>/<path>`
 * relative symlinks into `blobs/`, and `refs/<branch>` holding the commit hash.
 */
export async function addToHubCache(cache: string, repoId: string, commit: string, source: string, branch: string | null = 'main'): Promise<string> {
  const repo = path.join(cache, ['models', ...repoId.split('/')].join('--'));
  const snapshot = path.join(repo, 'snapshots', commit);
  const walk = async (sub: string): Promise<void> => {
    for (const name of await readdir(path.join(source, sub))) {
      const rel = path.join(sub, name);
      if ((await stat(path.join(source, rel))).isDirectory()) {
        await walk(rel);
        continue;
      }
      const bytes = await readFile(path.join(source, rel));
      const blob = createHash('sha256').update(bytes).digest('hex');
      await mkdir(path.join(repo, 'blobs'), { recursive: true });
      await writeFile(path.join(repo, 'blobs', blob), bytes);
      const link = path.join(snapshot, rel);
      await mkdir(path.dirname(link), { recursive: true });
      await symlink(path.relative(path.dirname(link), path.join(repo, 'blobs', blob)), link);
    }
  };
  await walk('');
  if (branch !== null) {
    await mkdir(path.join(repo, 'refs'), { recursive: true });
    await writeFile(path.join(repo, 'refs', branch), commit);
  }
  return snapshot;
}
