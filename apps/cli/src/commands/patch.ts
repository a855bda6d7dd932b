import { Option, type Command } from 'commander';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';

/** Registers `patch [run]`: the causal test of a finished run's units against random units from the same blocks. */
export function registerPatchCommand(program: Command, defaults: HelpDefaults | null): void {
  const d = defaults?.patch;
  const patch = program
    .command('patch')
    .description("causal test of a finished run's units: scale them to the other condition's RMS and measure how much of the a-to-b change of the prediction that reproduces, against random units from the same blocks")
    .argument('[run]', 'the output folder of a finished `moral-plantain run`', defaults?.run.out)
    .option('--k <list>', `unit counts to patch, the top k by |t| for each (those above the run's units are left out of the default)`, d?.k.join(','))
    .addOption(new Option('--fwer [alpha]', `select the units with FWER p below alpha instead (default ${d?.fwer ?? 0.05})`))
    .option('--units <list>', 'select these units instead (unit numbers, as in unit-statistics.csv)')
    .option('--zero', 'also zero-ablate each set (scale 0)')
    .option('--factor <list>', 'also scale each set by these fixed factors, e.g. 0.5,2')
    .option('--sets <n>', 'random unit sets per patched set, with as many units from each block', d ? String(d.sets) : undefined)
    .option('--seed <s>', "seed of the random sets and the across-pairs sign flips (default: the run's)")
    .option('--batch-size <n>', "patched samples per transformer call, one call evaluating that many random sets: raise it on a GPU (default: the run's batch size)")
    .addOption(new Option('--device <device>', "execution device (default: the run's)").choices(['cpu', 'cuda', 'webgpu', 'auto']))
    .option('--model <dir|repo>', "the run's model, when it moved: a model folder, a diffusers pipeline folder or a Hugging Face repo id (it must be the same model)")
    .option('--stimuli <file|name>', "the run's stimulus set, when it moved (it must be the same set)")
    .option('--resume', 'reuse pairs already patched with the same plan (default)')
    .option('--no-resume', 'patch every pair again')
    .option('--json', 'print a JSON summary instead of text (messages stay on standard error, without progress bars)')
    .action(async (run: string | undefined, options: Record<string, unknown>, command: Command) => (await import('./patch-action.js')).patchAction(run, options, command));
  withExamples(patch, [
    ['the causal test of a finished run: the top 10 and 30 units by |t| (on the tiny model), 200 random sets each', 'moral-plantain run --out out && moral-plantain patch out'],
    ['two sets, zero-ablation beside RMS matching, 500 random sets', 'moral-plantain patch out --k 10,100 --zero --sets 500'],
    ['the units with FWER p < 0.05, on a GPU, 8 patched samples per transformer call', 'moral-plantain patch klein-4b-probe --fwer --device cuda --batch-size 8'],
    ['units listed by number (as in unit-statistics.csv); a JSON summary', 'moral-plantain patch out --units 3,17,42 --json'],
  ]);
  patch.addHelpText(
    'after',
    "\nWrites patch.json, patch-effects.csv and figures/patch-dose-response.svg into the run's folder and adds a\n\"Causal test\" section to its README.md; each pair is cached as it finishes, so a stopped patch resumes.",
  );
}
