import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason, writeFileAtomic } from '@moral-plantain/formats';
import type { SweepError } from './sweep-error.js';
import { sweepFolder, type SweepPlan } from './sweep-plan.js';

/** Resources of one kind of SLURM job (each becomes an `#SBATCH` line when given). */
export interface SlurmResources {
  readonly partition?: string;
  /** Wall-time limit, e.g. `2:00:00` or `1-00:00:00`. */
  readonly time?: string;
  readonly cpusPerTask?: number;
  /** Memory per node, e.g. `64G`. */
  readonly mem?: string;
  /** GPUs per task, e.g. `1` or `a100:1` (`--gpus`). */
  readonly gpus?: string;
  readonly account?: string;
  readonly qos?: string;
}

/** How a sweep's SLURM scripts are written. */
export interface SlurmOptions {
  /** The command that runs moral-plantain on the nodes, word by word (e.g. the absolute paths of node and of the CLI). */
  readonly command: readonly string[];
  /** Resources of every task of the job array. */
  readonly tasks: SlurmResources;
  /** Resources of the merge-and-summarise job (no GPU is asked for); partition, account and qos default to the tasks'. */
  readonly merge: SlurmResources;
  /** At most this many tasks run at once (`--array=0-N%K`). */
  readonly maxParallel?: number;
  /** More `#SBATCH` options for the tasks, e.g. `--constraint=a100`. */
  readonly extra?: readonly string[];
}

/** The texts of a sweep's SLURM files. */
export interface SlurmScripts {
  readonly tasks: string;
  readonly merge: string;
  readonly submit: string;
}

/** Where a sweep's SLURM files are written: `slurm/` in the sweep folder. */
export interface SlurmFiles {
  readonly tasks: string;
  readonly merge: string;
  readonly submit: string;
}

/** The SLURM files of the sweep folder `dir`. */
export function slurmFiles(dir: string): SlurmFiles {
  const folder = sweepFolder(dir);
  return { tasks: path.join(folder.slurm, 'tasks.sbatch'), merge: path.join(folder.slurm, 'merge.sbatch'), submit: path.join(folder.slurm, 'submit.sh') };
}

/**
 * A sweep as SLURM jobs: a job array with one task per plan task (a cell, or a shard of one), each
 * running `moral-plantain sweep task <plan>`, which reads its index from `SLURM_ARRAY_TASK_ID`; a
 * merge-and-summarise job running `moral-plantain sweep merge <plan>`; and `submit.sh`, which
 * submits the array and then the merge job with `--dependency=afterok:<array>` (it starts only
 * when every task has succeeded). Logs go to `logs/` in the sweep folder. Options whose text could
 * break an `#SBATCH` line are refused, every problem at once.
 */
export function slurmScripts(plan: SweepPlan, options: SlurmOptions): E.Either<readonly string[], SlurmScripts> {
  const problems = slurmProblems(plan, options);
  if (problems.length > 0) return E.left(problems);
  const folder = sweepFolder(plan.dir);
  const files = slurmFiles(plan.dir);
  const command = options.command.map(shellWord).join(' ');
  const merge: SlurmResources = { partition: options.tasks.partition, account: options.tasks.account, qos: options.tasks.qos, ...defined(options.merge) };
  const count = plan.tasks.length;
  const cellsText = `${plan.cells.length} cell${plan.cells.length === 1 ? '' : 's'}${plan.shards > 1 ? ` x ${plan.shards} shards` : ''}`;
  const tasks = [
    '#!/bin/bash',
    `# moral-plantain sweep "${plan.name}": ${count} task${count === 1 ? '' : 's'} (${cellsText}), one per array index.`,
    '# Each task computes one shard of one cell into the cell folder\'s cache; a retried task computes',
    '# only what is missing. Submit with submit.sh, which queues merge.sbatch after every task succeeded.',
    `#SBATCH --job-name=${plan.name}`,
    `#SBATCH --array=0-${count - 1}${options.maxParallel !== undefined ? `%${options.maxParallel}` : ''}`,
    `#SBATCH --output=${folder.logs}/task-%A_%a.out`,
    ...resourceLines(options.tasks),
    ...(options.extra ?? []).map((line) => `#SBATCH ${line}`),
    'set -euo pipefail',
    `exec ${command} sweep task ${shellWord(folder.plan)}`,
    '',
  ].join('\n');
  const mergeScript = [
    '#!/bin/bash',
    `# moral-plantain sweep "${plan.name}": merges every cell's shards and writes the sweep report.`,
    '# Queued by submit.sh to start once every task of tasks.sbatch has succeeded (afterok).',
    `#SBATCH --job-name=${plan.name}-merge`,
    `#SBATCH --output=${folder.logs}/merge-%j.out`,
    ...resourceLines({ ...merge, gpus: undefined }),
    'set -euo pipefail',
    `exec ${command} sweep merge ${shellWord(folder.plan)}`,
    '',
  ].join('\n');
  const submit = [
    '#!/bin/bash',
    `# Submits the job array of sweep "${plan.name}", then its merge job, which waits for every task to succeed.`,
    'set -euo pipefail',
    `tasks=$(sbatch --parsable ${shellWord(files.tasks)})`,
    'tasks=${tasks%%;*}',
    `merge=$(sbatch --parsable --dependency=afterok:"$tasks" ${shellWord(files.merge)})`,
    'merge=${merge%%;*}',
    `echo "tasks: job $tasks (${count} array task${count === 1 ? '' : 's'}); merge: job $merge (after every task succeeded)"`,
    '',
  ].join('\n');
  return E.right({ tasks, merge: mergeScript, submit });
}

/** Writes the scripts into `slurm/` of the sweep folder (atomically; submit.sh executable) and makes `logs/`, which SLURM does not create. */
export async function writeSlurmScripts(plan: SweepPlan, scripts: SlurmScripts): Promise<E.Either<SweepError, SlurmFiles>> {
  const files = slurmFiles(plan.dir);
  try {
    await mkdir(sweepFolder(plan.dir).logs, { recursive: true });
    await writeFileAtomic(files.tasks, scripts.tasks);
    await writeFileAtomic(files.merge, scripts.merge);
    await writeFileAtomic(files.submit, scripts.submit);
    await chmod(files.submit, 0o755);
  } catch (error) {
    return E.left({ _tag: 'Study', error: { _tag: 'WriteFailed', path: path.dirname(files.tasks), reason: errorReason(error) } });
  }
  return E.right(files);
}

function resourceLines(r: SlurmResources): string[] {
  const lines: [string, string | number | undefined][] = [
    ['partition', r.partition],
    ['time', r.time],
    ['cpus-per-task', r.cpusPerTask],
    ['mem', r.mem],
    ['gpus', r.gpus],
    ['account', r.account],
    ['qos', r.qos],
  ];
  return lines.flatMap(([name, value]) => (value === undefined ? [] : [`#SBATCH --${name}=${value}`]));
}

/** Why options cannot go into the scripts: text with spaces, quotes or line breaks in an `#SBATCH` value, bad numbers, or a sweep folder whose path has whitespace. */
function slurmProblems(plan: SweepPlan, options: SlurmOptions): string[] {
  const problems: string[] = [];
  const plain = /^[A-Za-z0-9_.:,=+@%/-]+$/;
  if (/\s/.test(plan.dir)) problems.push(`the sweep folder ${plan.dir} has whitespace in its path, which #SBATCH --output cannot carry; choose another --out`);
  if (options.command.length === 0) problems.push('the command that runs moral-plantain is empty');
  for (const [kind, resources] of [['task', options.tasks], ['merge', options.merge]] as const) {
    for (const [name, value] of Object.entries(resources)) {
      if (value === undefined) continue;
      if (name === 'cpusPerTask' ? !(Number.isInteger(value) && (value as number) >= 1) : !plain.test(String(value))) problems.push(`the ${kind} ${name} ${JSON.stringify(value)} is not a valid #SBATCH value`);
    }
  }
  if (options.maxParallel !== undefined && !(Number.isInteger(options.maxParallel) && options.maxParallel >= 1)) problems.push(`the most tasks at once must be a whole number of at least 1, got ${options.maxParallel}`);
  for (const line of options.extra ?? []) if (!/^--?[A-Za-z][^\r\n]*$/.test(line)) problems.push(`the #SBATCH option ${JSON.stringify(line)} must be one line starting with - (e.g. --constraint=a100)`);
  return problems;
}

/** A word for bash: kept as it is when safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function defined(r: SlurmResources): SlurmResources {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as SlurmResources;
}
