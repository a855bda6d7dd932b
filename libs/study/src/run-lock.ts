import { open, readFile, rm, stat } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { isProcessRunning } from '@moral-plantain/formats';
import type { StudyError } from './study-error.js';

/** Gives a lock back. */
export type ReleaseLock = () => Promise<void>;

/**
 * Takes a run folder for this process: a lock file created exclusively, holding our pid. A lock
 * left by a process that no longer exists is taken over; a live one is refused.
 */
export function acquireRunLock(file: string, dir: string): TE.TaskEither<StudyError, ReleaseLock> {
  return async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(file, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return E.right(() => rm(file, { force: true }));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') return E.left({ _tag: 'LockFailed', dir, file, reason: code ?? String(error) });
        const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(pid) && pid > 0 && isProcessRunning(pid)) return E.left({ _tag: 'Locked', dir, file, pid });
        if ((await stat(file).catch(() => null))?.isDirectory()) return E.left({ _tag: 'LockFailed', dir, file, reason: 'EISDIR' });
        const removed = await rm(file, { force: true }).then(
          () => null,
          (failure: NodeJS.ErrnoException) => failure.code ?? String(failure),
        );
        if (removed !== null) return E.left({ _tag: 'LockFailed', dir, file, reason: removed });
      }
    }
    return E.left({ _tag: 'LockFailed', dir, file, reason: 'another process keeps taking it' });
  };
}
