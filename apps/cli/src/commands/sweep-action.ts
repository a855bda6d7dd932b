import { realpathSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { setRuntimeLogLevel } from '@moral-plantain/model-runtime';
import {
  describeSweepError,
  mergeSweep,
  planSweep,
  prepareSlurmSweep,
  readSweepFile,
  readSweepPlan,
  runSweep,
  runSweepTask,
  shardText,
  submitSlurm,
  sweepTaskIndex,
  type SlurmResources,
  type SweepError,
  type SweepPlan,
  type SweepSummary,
} from '@moral-plantain/study';
import { CliError, EXIT_INTERRUPTED } from '../cli-error.js';
import { wholeNumberFlag } from '../option-values.js';
import { printJson, printSummary, shownPath } from '../print.js';
import { refuseStdioFolder } from '../standard-input.js';
import { createProgressDisplay, formatSeconds } from '../progress-display.js';
import { cliVersion } from '../program.js';
import type { SweepFlags, SweepJobFlags } from './sweep.js';

/** Runs `sweep <file>`: plans the sweep, then runs it here, or writes (and submits) its SLURM jobs. */
export async function sweepAction(file: string, flags: SweepFlags): Promise<void> {
  setRuntimeLogLevel('fatal');
  if (flags.out !== undefined) refuseStdioFolder('sweep', '--out', flags.out);
  const spec = await readSweepFile(file, flags.out)();
  if (E.isLeft(spec)) throw failure(spec.left);
  const shards = flags.shards === undefined ? spec.right.shards : wholeNumberFlag('--shards', flags.shards, 1, 100_000);
  const plan = planSweep({ ...spec.right, shards });
  if (flags.slurm) return slurmAction(plan, flags);
  if (flags.submit) throw new CliError('--submit submits SLURM jobs: it needs --slurm.', 'Add --slurm, or leave out --submit to run the sweep here.');
  const jobOnly = SLURM_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
  if (jobOnly.length > 0) throw new CliError(`${jobOnly.join(', ')} ${jobOnly.length === 1 ? 'applies' : 'apply'} to SLURM jobs: ${jobOnly.length === 1 ? 'it needs' : 'they need'} --slurm.`, 'Add --slurm to write the job array, or leave them out to run the sweep here.');
  const display = createProgressDisplay(process.stderr, { progress: !flags.json && !flags.quiet, messages: !flags.quiet });
  const outcome = await withStop((signal) => runSweep(plan, { progress: display, signal, resume: flags.resume, versions: { '@moral-plantain/cli': cliVersion() } })());
  if (E.isLeft(outcome)) throw failure(outcome.left);
  const { cells, loads, summary } = outcome.right;
  if (flags.json) return printJson({ dir: plan.dir, plan: outcome.right.folder.plan, cells, loads, report: summary.readme, files: summary.files, missing: summary.missing });
  const ran = cells.filter((c) => c.status === 'run');
  const lines = [
    `sweep ${plan.name}: ${cells.length} cells, ${ran.length} run now (${formatSeconds(ran.reduce((s, c) => s + (c.seconds ?? 0), 0))}), ${cells.length - ran.length} already complete`,
    ...Object.entries(loads).map(([model, slots]) => `  ${model}: ${Object.entries(slots).map(([slot, n]) => `${slot} loaded ${n}x`).join(', ') || 'nothing loaded (every prompt cached)'}`),
    ...summaryLines(summary),
  ];
  printSummary(`${lines.join('\n')}\n`, { quiet: flags.quiet });
}

async function slurmAction(plan: SweepPlan, flags: SweepFlags): Promise<void> {
  const count = (flag: string, raw: string | undefined) => (raw === undefined ? undefined : wholeNumberFlag(flag, raw, 1, 1_000_000));
  const tasks: SlurmResources = strip({ partition: flags.partition, time: flags.time, cpusPerTask: count('--cpus-per-task', flags.cpusPerTask), mem: flags.mem, gpus: flags.gpus, account: flags.account, qos: flags.qos });
  const merge: SlurmResources = strip({ time: flags.mergeTime, mem: flags.mergeMem, cpusPerTask: count('--merge-cpus', flags.mergeCpus) });
  const maxParallel = count('--max-parallel', flags.maxParallel);
  const command = flags.command !== undefined ? flags.command.trim().split(/\s+/) : [process.execPath, realpathSync(process.argv[1] ?? 'moral-plantain')];
  const prepared = await prepareSlurmSweep(plan, { command, tasks, merge, ...(maxParallel !== undefined ? { maxParallel } : {}), extra: flags.sbatch ?? [] })();
  if (E.isLeft(prepared)) throw failure(prepared.left);
  const { files } = prepared.right;
  const submitted = flags.submit ? await submitSlurm(files)() : null;
  if (submitted && E.isLeft(submitted)) throw failure(submitted.left);
  const jobs = submitted && E.isRight(submitted) ? submitted.right : null;
  if (flags.json) return printJson({ dir: plan.dir, plan: prepared.right.plan, cells: plan.cells.length, tasks: plan.tasks.length, shards: plan.shards, files, submitted: jobs });
  const lines = [
    `sweep ${plan.name}: ${plan.cells.length} cells x ${plan.shards} shard${plan.shards === 1 ? '' : 's'} = ${plan.tasks.length} array tasks`,
    `plan: ${shownPath(prepared.right.plan)}`,
    `job array: ${shownPath(files.tasks)}; merge job: ${shownPath(files.merge)}`,
    jobs ? `submitted: tasks job ${jobs.tasks}, merge job ${jobs.merge} (after every task succeeded); logs in ${shownPath(plan.dir)}/logs` : `submit with: bash ${shownPath(files.submit)}`,
    `the same tasks run as a Kubernetes Indexed Job (completions ${plan.tasks.length}): moral-plantain sweep task ${prepared.right.plan}, then moral-plantain sweep merge ${prepared.right.plan}`,
  ];
  printSummary(`${lines.join('\n')}\n`, { quiet: flags.quiet });
}

/** Flags that only shape SLURM jobs. */
const SLURM_FLAGS: readonly (readonly [keyof SweepFlags, string])[] = [
  ['shards', '--shards'],
  ['partition', '--partition'],
  ['time', '--time'],
  ['cpusPerTask', '--cpus-per-task'],
  ['mem', '--mem'],
  ['gpus', '--gpus'],
  ['account', '--account'],
  ['qos', '--qos'],
  ['maxParallel', '--max-parallel'],
  ['sbatch', '--sbatch'],
  ['mergeTime', '--merge-time'],
  ['mergeMem', '--merge-mem'],
  ['mergeCpus', '--merge-cpus'],
  ['command', '--command'],
];

/** Runs `sweep task <plan>`: the task of `--index`, $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX. */
export async function taskAction(planFile: string, flags: SweepJobFlags): Promise<void> {
  setRuntimeLogLevel('fatal');
  const plan = await readSweepPlan(planFile)();
  if (E.isLeft(plan)) throw failure(plan.left);
  const index = sweepTaskIndex(flags.index, process.env, plan.right.tasks.length);
  if (E.isLeft(index)) throw failure(index.left);
  const display = createProgressDisplay(process.stderr, { progress: !flags.json && !flags.quiet, messages: !flags.quiet });
  const task = plan.right.tasks[index.right.index];
  display.log(`task ${index.right.index} (from ${index.right.source}) of ${plan.right.tasks.length}: cell ${task?.cell}, shard ${task ? shardText(task.shard) : '?'}`);
  const outcome = await withStop((signal) => runSweepTask(plan.right, index.right.index, { progress: display, signal, versions: { '@moral-plantain/cli': cliVersion() } })());
  if (E.isLeft(outcome)) throw failure(outcome.left);
  const { shard } = outcome.right;
  if (flags.json) return printJson({ task: outcome.right.task, record: shard.record, device: shard.device, batches: shard.batches, prompts: shard.prompts, seconds: shard.seconds });
  printSummary(`task ${index.right.index} done in ${formatSeconds(shard.seconds.total ?? 0)}: ${shard.prompts.computed} prompts computed, ${shard.prompts.cached} from the cache; record ${shownPath(shard.record)}\n`, { quiet: flags.quiet });
}

/** Runs `sweep merge <plan>`: every cell's shards merged, then the sweep report. */
export async function mergeSweepAction(planFile: string, flags: SweepJobFlags): Promise<void> {
  const plan = await readSweepPlan(planFile)();
  if (E.isLeft(plan)) throw failure(plan.left);
  const display = createProgressDisplay(process.stderr, { progress: !flags.json && !flags.quiet, messages: !flags.quiet });
  const outcome = await withStop((signal) => mergeSweep(plan.right, { progress: display, signal })());
  if (E.isLeft(outcome)) throw failure(outcome.left);
  const { merged, complete, summary } = outcome.right;
  if (flags.json) return printJson({ dir: plan.right.dir, merged, complete, report: summary.readme, files: summary.files, missing: summary.missing });
  printSummary(`${[`sweep ${plan.right.name}: ${merged.length} cells merged, ${complete.length} already merged`, ...summaryLines(summary)].join('\n')}\n`, { quiet: flags.quiet });
}

function summaryLines(summary: SweepSummary): string[] {
  return [
    ...(summary.missing.length > 0 ? [`${summary.missing.length} cells have no results yet and are left out of the report: ${summary.missing.join(', ')}`] : []),
    `sweep report: ${shownPath(summary.readme)}`,
  ];
}

/** Runs `work` with a signal that Ctrl-C or SIGTERM raises (a second Ctrl-C quits at once). */
async function withStop<A>(work: (signal: AbortSignal) => Promise<A>): Promise<A> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function failure(error: SweepError): CliError {
  const interrupted = (error._tag === 'Cell' || error._tag === 'Study') && error.error._tag === 'Interrupted';
  return CliError.from(describeSweepError(error), interrupted ? EXIT_INTERRUPTED : undefined);
}

function strip<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
