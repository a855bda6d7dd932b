import type { Command } from 'commander';

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
}

/** The flags of `sweep task` and `sweep merge`. */
export interface SweepJobFlags {
  readonly index?: string;
  readonly json?: boolean;
}

/** Registers `sweep <file>` (run here, or write SLURM job-array scripts) and the job entry points `sweep task` and `sweep merge`. */
export function registerSweepCommand(program: Command): void {
  const action = async () => import('./sweep-action.js');
  const sweep = program
    .command('sweep')
    .description('a grid of probe runs (models x stimulus sets x seeds x unit definitions) and one report comparing them; here, or as a SLURM job array')
    .addHelpText('after', '\n`moral-plantain sweep <file>` is `sweep run <file>`: see `moral-plantain sweep run --help` for its options.');
  sweep
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
    .action(async (file: string, options: SweepFlags) => (await action()).sweepAction(file, options));
  sweep
    .command('task')
    .description('run one task of a planned sweep (one shard of one cell): the entry point of SLURM array tasks and Kubernetes Indexed Jobs')
    .argument('<plan>', "the sweep's sweep-plan.json")
    .option('--index <i>', 'the task (default: $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX)')
    .option('--json', 'print a JSON summary instead of text')
    .action(async (plan: string, options: SweepJobFlags) => (await action()).taskAction(plan, options));
  sweep
    .command('merge')
    .description("merge every cell's shards and write the sweep report: the job that runs after the tasks")
    .argument('<plan>', "the sweep's sweep-plan.json")
    .option('--json', 'print a JSON summary instead of text')
    .action(async (plan: string, options: SweepJobFlags) => (await action()).mergeSweepAction(plan, options));
}
