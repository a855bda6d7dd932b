import type { Command } from 'commander';

/** The flags of `merge`. */
export interface MergeFlags {
  readonly out?: string;
  readonly json?: boolean;
}

/** Registers `merge <folders...>`: the shards of one run (`run --shard i/n`) into one run folder. */
export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description('merge the shards of one run (`run --shard i/n`) into one run folder, the same as the undivided run: activations, statistics, report, run.json')
    .argument('<folders...>', 'folders the shards wrote into (`run --shard ... --out DIR`); one folder may hold them all')
    .option('--out <dir>', 'the run folder to write (default: the folder, when one is given)')
    .option('--json', 'print a JSON summary instead of text')
    .action(async (folders: string[], options: MergeFlags) => (await import('./merge-action.js')).mergeAction(folders, options));
}
