import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { slurmScripts, writeSlurmScripts, type SlurmFiles, type SlurmOptions } from './slurm-scripts.js';
import type { SweepError } from './sweep-error.js';
import { withSweepLock } from './sweep-lock.js';
import { embeddedModel } from './embedded-model.js';
import { sweepFolder, writeSweepPlan, type SweepPlan } from './sweep-plan.js';

/** What `prepareSlurmSweep` wrote. */
export interface PreparedSlurmSweep {
  readonly plan: string;
  readonly files: SlurmFiles;
}

/**
 * Readies a sweep to run as SLURM jobs, under the sweep folder's lock: the embedded tiny model
 * when a model of the sweep is that one (built once into the sweep's cache, which every task then
 * only reads), its plan (which the tasks and the merge job read) and its scripts (`slurmScripts`: the job array, the merge job and
 * submit.sh), with `logs/` made. Submitting is a separate step (`submitSlurm`, or submit.sh).
 */
export function prepareSlurmSweep(plan: SweepPlan, options: SlurmOptions): TE.TaskEither<SweepError, PreparedSlurmSweep> {
  return async () => {
    const scripts = slurmScripts(plan, options);
    if (E.isLeft(scripts)) return E.left({ _tag: 'SlurmOptions', problems: scripts.left });
    return withSweepLock(plan.dir, async () => {
      // Built once here, before any task starts, so the tasks only read it.
      if (plan.cells.some((cell) => cell.model.path === null)) {
        const built = await embeddedModel(sweepFolder(plan.dir).cache.embeddedModel)();
        if (E.isLeft(built)) return E.left({ _tag: 'Study', error: built.left });
      }
      const written = await writeSweepPlan(plan);
      if (E.isLeft(written)) return written;
      const files = await writeSlurmScripts(plan, scripts.right);
      return E.map((f: SlurmFiles) => ({ plan: written.right, files: f }))(files);
    });
  };
}
