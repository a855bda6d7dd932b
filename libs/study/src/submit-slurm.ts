import { execFile } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { SlurmFiles } from './slurm-scripts.js';
import type { SweepError } from './sweep-error.js';

/** The job ids of a submitted sweep. */
export interface SubmittedSweep {
  readonly tasks: string;
  readonly merge: string;
}

/**
 * Submits a sweep's scripts as `submit.sh` does: the job array with `sbatch --parsable`, then the
 * merge job with `--dependency=afterok:<array id>`. `sbatch` names the program (default `sbatch`
 * on the PATH).
 */
export function submitSlurm(files: SlurmFiles, sbatch = 'sbatch'): TE.TaskEither<SweepError, SubmittedSweep> {
  return async () => {
    const tasks = await parsable(sbatch, [files.tasks]);
    if (E.isLeft(tasks)) return tasks;
    const merge = await parsable(sbatch, [`--dependency=afterok:${tasks.right}`, files.merge]);
    if (E.isLeft(merge)) return merge;
    return E.right({ tasks: tasks.right, merge: merge.right });
  };
}

/** Runs `sbatch --parsable ...args` and gives the job id it prints (`<id>` or `<id>;<cluster>`). */
function parsable(sbatch: string, args: readonly string[]): Promise<E.Either<SweepError, string>> {
  const command = [sbatch, '--parsable', ...args].join(' ');
  return new Promise((resolve) => {
    execFile(sbatch, ['--parsable', ...args], { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      const id = stdout.trim().split(';')[0] ?? '';
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'cannot run: sbatch was not found on the PATH' : `failed: ${(stderr.trim() || error.message).split('\n')[0]}`;
        resolve(E.left({ _tag: 'SlurmSubmit', command, reason }));
      } else if (!/^\d+$/.test(id)) resolve(E.left({ _tag: 'SlurmSubmit', command, reason: `printed no job id (${JSON.stringify(stdout.trim())})` }));
      else resolve(E.right(id));
    });
  });
}
