import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { mergeShards } from './merge-shards.js';
import type { StudyOptions } from './run-study.js';
import { cellMerged } from './sweep-cell-state.js';
import type { SweepError } from './sweep-error.js';
import { withSweepLock } from './sweep-lock.js';
import { sweepFolder, type SweepFolder, type SweepPlan } from './sweep-plan.js';
import { summariseSweep, type SweepSummary } from './summarise-sweep.js';

/** What merging a sweep did. */
export interface SweepMergeOutcome {
  readonly folder: SweepFolder;
  /** Cells merged now, and cells whose outputs were already newer than their shards. */
  readonly merged: readonly string[];
  readonly complete: readonly string[];
  readonly summary: SweepSummary;
}

/**
 * The end of a sweep run as a job array: every cell's shards merged into its folder (`mergeShards`,
 * the cell's outputs published as one set; cells already merged after their last shard finished
 * are left alone, so the job can be run again), then the sweep report. The sweep folder is locked.
 */
export function mergeSweep(plan: SweepPlan, options: Pick<StudyOptions, 'progress' | 'signal'>): TE.TaskEither<SweepError, SweepMergeOutcome> {
  return () =>
    withSweepLock(plan.dir, async () => {
      const merged: string[] = [];
      const complete: string[] = [];
      for (const [i, cell] of plan.cells.entries()) {
        if (await cellMerged(cell.settings, plan.shards)) {
          complete.push(cell.id);
          continue;
        }
        options.progress.log(`cell ${i + 1}/${plan.cells.length} ${cell.id}: merging ${plan.shards} shard${plan.shards === 1 ? '' : 's'}`);
        const result = await mergeShards([cell.settings.out], { out: cell.settings.out, shards: plan.shards, progress: options.progress, ...(options.signal ? { signal: options.signal } : {}) })();
        if (E.isLeft(result)) return E.left({ _tag: 'Cell', cell: cell.id, error: result.left });
        merged.push(cell.id);
      }
      const summary = await summariseSweep(plan);
      if (E.isLeft(summary)) return summary;
      return E.right({ folder: sweepFolder(plan.dir), merged, complete, summary: summary.right });
    });
}
