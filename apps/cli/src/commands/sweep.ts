import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import { withExamples } from '../help-text.js';

/** The flags of `sweep <file>`. */
export interface SweepFlags {
  readonly out?: string;
  readonly resume: boolean;
  readonly slurm?: boolean;
  readonly submit?: boolean;
  readonly shards?: string;
  readonly partition?: string;
  readonly time?: string;
  readonly cpusPerTask?: string;
  readonly mem?: string;
  readonly gpus?: string;
  readonly account?: string;
  readonly qos?: string;
  readonly maxParallel?: string;
  readonly sbatch?: string[];
  readonly mergeTime?: string;
  readonly mergeMem?: string;
  readonly mergeCpus?: string;
  readonly command?: string;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** The flags of `sweep task` and `sweep merge`. */
export interface SweepJobFlags {
  readonly index?: string;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** Registers `sweep <file>` (run here, or write SLURM job-array scripts) and the job entry points `sweep task` and `sweep merge`. */
export function registerSweepCommand(program: Command): void {
  const action = async () => import('./sweep-action.js');
  const sweep = program
    .command('sweep')
    .description('a grid of probe runs (models x stimulus sets x seeds x unit definitions) and one report comparing them; here, or as a SLURM job array')
    .addHelpText('after', '\n`moral-plantain sweep <file>` is `sweep run <file>`: see `moral-plantain sweep run --help` for its options.');
  withExamples(sweep, [
    ['every cell here, then the sweep report (axes-out/README.md)', 'moral-plantain sweep axes.yaml'],
    ['a SLURM job array (4 shards per cell) and its merge job, submitted', 'moral-plantain sweep axes.yaml --slurm --shards 4 --gpus 1 --submit'],
    ['one task, as a SLURM array task or a Kubernetes Indexed Job runs it', 'moral-plantain sweep task axes-out/sweep-plan.json --index 5'],
  ]);
  const run = sweep
    .command('run', { isDefault: true })
    .description('plan a sweep file and run its cells here (one model load per model), or with --slurm write (and --submit) a job array and its merge job')
    .argument('<file>', 'a sweep file (YAML): models, stimuli, seeds, units, settings, shards')
    .option('--out <dir>', "the sweep folder (default: the file's `out`, else <name>-out beside it)")
    .option('--resume', 'skip complete cells and reuse computed prompts (default)')
    .option('--no-resume', 'run every cell again, recomputing every prompt')
    .option('--slurm', 'do not run here: write slurm/tasks.sbatch (a job array, one task per cell shard), slurm/merge.sbatch and slurm/submit.sh')
    .option('--submit', 'with --slurm: submit the array and its merge job (sbatch, --dependency=afterok)')
    .option('--shards <n>', "with --slurm: tasks per cell (default: the file's `shards`, else 1)")
    .option('--partition <name>', 'SLURM partition of the tasks and the merge job')
    .option('--time <limit>', 'wall-time limit of each task, e.g. 2:00:00')
    .option('--cpus-per-task <n>', 'CPUs of each task')
    .option('--mem <size>', 'memory of each task, e.g. 64G')
    .option('--gpus <n>', 'GPUs of each task, e.g. 1 or a100:1')
    .option('--account <name>', 'SLURM account of the tasks and the merge job')
    .option('--qos <name>', 'SLURM QOS of the tasks and the merge job')
    .option('--max-parallel <n>', 'at most this many tasks at once (--array=0-N%n)')
    .option('--sbatch <option...>', 'more #SBATCH options for the tasks, e.g. --sbatch=--constraint=a100')
    .option('--merge-time <limit>', 'wall-time limit of the merge job')
    .option('--merge-mem <size>', 'memory of the merge job')
    .option('--merge-cpus <n>', 'CPUs of the merge job')
    .option('--command <words>', 'how the nodes run moral-plantain (default: this Node.js and this CLI, by absolute path)')
    .option('--json', 'print a JSON summary instead of text')
    .action(async (file: string, options: Omit<SweepFlags, 'quiet'>, command: Command) => (await action()).sweepAction(file, { ...options, quiet: isQuiet(command) }));
  withExamples(run, [
    ['every cell here, then the sweep report (axes-out/README.md)', 'moral-plantain sweep axes.yaml'],
    ['a SLURM job array (4 shards per cell, one GPU each) and its merge job, submitted', 'moral-plantain sweep axes.yaml --slurm --shards 4 --gpus 1 --time 2:00:00 --partition gpu --submit'],
    ['the scripts only, to read and submit by hand (bash axes-out/slurm/submit.sh)', 'moral-plantain sweep axes.yaml --slurm'],
    ['the subcommand named (sweep FILE is short for it), a JSON summary', 'moral-plantain sweep run axes.yaml --json'],
  ]);
  const task = sweep
    .command('task')
    .description('run one task of a planned sweep (one shard of one cell): the entry point of SLURM array tasks and Kubernetes Indexed Jobs')
    .argument('<plan>', "the sweep's sweep-plan.json")
    .option('--index <i>', 'the task (default: $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX)')
    .option('--json', 'print a JSON summary instead of text')
    .action(async (plan: string, options: Omit<SweepJobFlags, 'quiet'>, command: Command) => (await action()).taskAction(plan, { ...options, quiet: isQuiet(command) }));
  withExamples(task, [
    ['task 5 by hand (a retry computes only what is missing)', 'moral-plantain sweep task axes-out/sweep-plan.json --index 5'],
    ['in a Kubernetes Indexed Job: the index comes from JOB_COMPLETION_INDEX', 'moral-plantain sweep task /shared/axes-out/sweep-plan.json'],
  ]);
  const merge = sweep
    .command('merge')
    .description("merge every cell's shards and write the sweep report: the job that runs after the tasks")
    .argument('<plan>', "the sweep's sweep-plan.json")
    .option('--json', 'print a JSON summary instead of text')
    .action(async (plan: string, options: Omit<SweepJobFlags, 'quiet'>, command: Command) => (await action()).mergeSweepAction(plan, { ...options, quiet: isQuiet(command) }));
  withExamples(merge, [['after every task succeeded (what merge.sbatch runs)', 'moral-plantain sweep merge axes-out/sweep-plan.json']]);
}
