import { Option, type Command } from 'commander';
import type { HelpDefaults } from '../help-defaults.js';

/** The flags of `stats`, as commander gives them. */
export interface StatsFlags {
  readonly permutations?: string;
  readonly seed?: string;
  readonly tail?: 'two-sided' | 'greater' | 'less';
  readonly splits?: string;
  readonly workers?: string;
  readonly out: string;
  readonly json?: boolean;
}

/** Registers `stats <activations.safetensors>`: the statistics of a paired probe, written as results.json. */
export function registerStatsCommand(program: Command, defaults: HelpDefaults | null): void {
  const d = defaults?.pairedTest;
  program
    .command('stats')
    .description('paired statistics of an activations file (tensors a and b, [pairs x units]) into results.json')
    .argument('<activations>', 'a safetensors file with float tensors "a" and "b" (F32, F64, F16 or BF16) of shape [pairs, units]')
    .option('--permutations <n>', 'random sign flips (all 2^pairs are enumerated when that is no more)', d && String(d.permutations))
    .option('--seed <s>', 'seed of the sign flips and split-half splits', d && String(d.seed))
    .addOption(new Option('--tail <tail>', 'direction of the test').choices(['two-sided', 'greater', 'less']).default(d?.tail))
    .option('--splits <k>', 'random half splits for split-half reliability (0 skips it)', d && String(d.splits))
    .option('--workers <n>', 'worker threads for the sign-flip scan (default: available cores, at most 8)')
    .option('--out <file>', 'where to write the results (a path ending in /, such as out/, gets results.json inside)', 'results.json')
    .option('--json', 'print the results JSON instead of a summary')
    .action(async (file: string, options: StatsFlags) => (await import('./stats-action.js')).statsAction(file, options));
}
