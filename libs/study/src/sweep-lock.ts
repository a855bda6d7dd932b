import { mkdir } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason } from '@moral-plantain/formats';
import { acquireRunLock } from './run-lock.js';
import type { SweepError } from './sweep-error.js';
import { sweepFolder } from './sweep-plan.js';

/** Runs `work` holding the sweep folder's lock (one local sweep, plan or merge at a time; tasks take none): the folder is created first. */
export async function withSweepLock<A>(dir: string, work: () => Promise<E.Either<SweepError, A>>): Promise<E.Either<SweepError, A>> {
  const folder = sweepFolder(dir);
  const made = await mkdir(folder.dir, { recursive: true }).then(
    () => null,
    (error: unknown) => errorReason(error),
  );
  if (made !== null) return E.left({ _tag: 'Study', error: { _tag: 'OutFolderUnusable', dir: folder.dir, reason: made } });
  const lock = await acquireRunLock(folder.lock, folder.dir)();
  if (E.isLeft(lock)) return E.left({ _tag: 'Study', error: lock.left });
  try {
    return await work();
  } finally {
    await lock.right();
  }
}
