import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import { withExamples } from '../help-text.js';

/** The flags of `merge`. */
export interface MergeFlags {
  readonly out?: string;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** Registers `merge <folders...>`: the shards of one run (`run --shard i/n`) into one run folder. */
export function registerMergeCommand(program: Command): void {
  const merge = program
    .command('merge')
    .description('merge the shards of one run (`run --shard i/n`) into one run folder, the same as the undivided run: activations, statistics, report, run.json')
    .argument('<folders...>', 'folders the shards wrote into (`run --shard ... --out DIR`); one folder may hold them all')
    .option('--out <dir>', 'the run folder to write (default: the folder, when one is given)')
    .option('--json', 'print a JSON summary instead of text')
    .action(async (folders: string[], options: Omit<MergeFlags, 'quiet'>, command: Command) => (await import('./merge-action.js')).mergeAction(folders, { ...options, quiet: isQuiet(command) }));
  withExamples(merge, [
    ['four shards that shared one folder (run --shard 1/4 ... 4/4 --out probe): its outputs, as an undivided run writes them', 'moral-plantain merge probe'],
    ['shards written to folders of their own, into a new run folder', 'moral-plantain merge shard-1 shard-2 shard-3 --out probe'],
  ]);
}
