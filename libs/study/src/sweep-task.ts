import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { runShard, type ShardOutcome } from './run-shard-study.js';
import type { StudyOptions } from './run-study.js';
import type { SweepError } from './sweep-error.js';
import { sweepFolder, type SweepPlan, type SweepTask } from './sweep-plan.js';

/** Environment variables that carry a job array's task index, in the order they are read. */
export const TASK_INDEX_VARIABLES = ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

/** A task index and where it came from (`--index`, or the variable that gave it). */
export interface TaskIndex {
  readonly index: number;
  readonly source: string;
}

/**
 * The index of the task to run: `given` (e.g. `--index`), else `SLURM_ARRAY_TASK_ID` (a SLURM job
 * array), else `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job); it must name one of `tasks` tasks.
 */
export function sweepTaskIndex(given: string | undefined, env: Readonly<Record<string, string | undefined>>, tasks: number): E.Either<SweepError, TaskIndex> {
  const variable = TASK_INDEX_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
  const [raw, source] = given !== undefined ? [given, '--index'] : variable !== undefined ? [env[variable] ?? '', variable] : [undefined, ''];
  if (raw === undefined) return E.left({ _tag: 'TaskIndex', reason: `no --index was given and neither ${TASK_INDEX_VARIABLES.join(' nor ')} is set`, tasks });
  const index = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(index) || index >= tasks) return E.left({ _tag: 'TaskIndex', reason: `${source} is ${JSON.stringify(raw)}, and the plan has tasks 0 to ${tasks - 1}`, tasks });
  return E.right({ index, source });
}

/** What one task of a sweep did. */
export interface SweepTaskOutcome {
  readonly task: SweepTask;
  readonly shard: ShardOutcome;
}

/**
 * Runs task `index` of a sweep plan: one shard of one cell (`runShard`), its prompts computed into
 * the cell folder's cache and its shard record written. Tasks take no lock and write only their
 * own cache entries and record, atomically, so they run at once on many machines over a shared
 * disk, and a task retried (or running twice, as a Kubernetes Indexed Job may) computes only what
 * is missing and writes the same files again.
 */
export function runSweepTask(plan: SweepPlan, index: number, options: StudyOptions): TE.TaskEither<SweepError, SweepTaskOutcome> {
  return async () => {
    const task = plan.tasks[index];
    const cell = task && plan.cells.find((c) => c.id === task.cell);
    if (!task || !cell) return E.left({ _tag: 'TaskIndex', reason: `the plan has no task ${index}`, tasks: plan.tasks.length });
    // The embedded model the plan built for the sweep, read by every task (see `prepareSlurmSweep`).
    const shard = await runShard({ ...cell.settings, shard: task.shard }, { embeddedModelDir: sweepFolder(plan.dir).cache.embeddedModel, ...options })();
    return E.isLeft(shard) ? E.left({ _tag: 'Cell', cell: cell.id, error: shard.left }) : E.right({ task, shard: shard.right });
  };
}
