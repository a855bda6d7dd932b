import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../cli-error.js';

/** Name of the lock file a run keeps in its output folder. */
export const RUN_LOCK_FILE = '.moral-plantain.lock';

/**
 * Takes the output folder for this process: a lock file created exclusively, holding our pid.
 * A lock left by a process that no longer exists is taken over; a live one is refused.
 */
export async function acquireRunLock(outDir: string): Promise<() => Promise<void>> {
  const file = path.join(outDir, RUN_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new CliError(
          `another run (process ${pid}) is writing into ${outDir}`,
          'wait for it to finish, or choose another folder with --out',
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new CliError(`could not lock ${outDir}`, `remove ${file} if no run is using the folder`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
