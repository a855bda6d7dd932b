import { Option, type Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';

/** The flags of `stats`, as commander gives them (with the global `--quiet`). */
export interface StatsFlags {
  readonly permutations?: string;
  readonly seed?: string;
  readonly tail?: 'two-sided' | 'greater' | 'less';
  readonly splits?: string;
  readonly workers?: string;
  readonly out: string;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** Registers `stats <activations.safetensors>`: the statistics of a paired probe, written as results.json. */
export function registerStatsCommand(program: Command, defaults: HelpDefaults | null): void {
  const d = defaults?.pairedTest;
  const stats = program
    .command('stats')
    .description('paired statistics of an activations file (tensors a and b, [pairs x units]) into results.json')
    .argument('<activations>', 'a safetensors file with float tensors "a" and "b" (F32, F64, F16 or BF16) of shape [pairs, units]; - reads it from standard input')
    .option('--permutations <n>', 'random sign flips (all 2^pairs are enumerated when that is no more)', d && String(d.permutations))
    .option('--seed <s>', 'seed of the sign flips and split-half splits', d && String(d.seed))
    .addOption(new Option('--tail <tail>', 'direction of the test').choices(['two-sided', 'greater', 'less']).default(d?.tail))
    .option('--splits <k>', 'random half splits for split-half reliability (0 skips it)', d && String(d.splits))
    .option('--workers <n>', 'worker threads for the sign-flip scan (default: available cores, at most 8)')
    .option('--out <file>', 'where to write the results JSON (a path ending in /, such as out/, gets results.json inside); - writes it to standard output (the summary then goes to standard error)', 'results.json')
    .option('--json', 'print the results JSON instead of a summary (the file is written too)')
    .action(async (file: string, options: Omit<StatsFlags, 'quiet'>, command: Command) => (await import('./stats-action.js')).statsAction(file, { ...options, quiet: isQuiet(command) }));
  withExamples(stats, [
    ['10,000 sign flips, results to results.json, a summary on the terminal', 'moral-plantain stats activations.safetensors --permutations 10000 --out results.json'],
    ['from standard input to standard output, for a pipe (the summary goes to standard error)', "moral-plantain stats - --out - < activations.safetensors | jq '.thresholds'"],
    ['a one-sided test (a > b) without split-half reliability, no summary', 'moral-plantain stats activations.safetensors --tail greater --splits 0 --quiet'],
  ]);
}
