import { Option, type Command } from 'commander';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';
import { addModelSourceOptions } from '../model-source-options.js';

/** Registers `run`: the whole probe, from stimuli to the report. */
export function registerRunCommand(program: Command, defaults: HelpDefaults | null): void {
  const d = defaults?.run;
  const run = addModelSourceOptions(
    program.command('run').description('run the whole probe: stimuli -> one tapped denoising step per prompt -> statistics -> report (default: the embedded tiny model)'),
    'the model to probe',
  )
    .option('--stimuli <file|name>', 'a stimulus-set YAML file or a built-in set', d?.stimuli)
    .option('--out <dir>', 'output folder', d?.out)
    .addOption(new Option('--device <device>', 'execution device').choices(['cpu', 'cuda', 'webgpu', 'auto']).default(d?.device))
    .option('--seed <s>', 'seed of the noise latents, sign flips and splits', d?.seed)
    .option('--resolution <px>', "image size N or WxH in pixels (default: the model's; 1024 for real models)")
    .option('--batch-size <n>', 'prompts per transformer call', d?.batchSize)
    .option('--permutations <n>', 'random sign flips (all patterns when 2^pairs is no more)', d?.permutations)
    .option('--splits <k>', 'split-half splits (0 skips)', d?.splits)
    .option('--unit-width <c>', 'channels per unit', d?.unitWidth)
    .option('--channels <a:b>', 'channel range of each tapped input, e.g. 0:3072 for attention channels only (default all)')
    .option('--reference <images>', "condition every prompt on reference images: `generate` (one per pair, drawn by the model from the pair's neutral description), image files (comma-separated, the same for every pair) or a folder with <pair id>.png per pair")
    .addOption(new Option('--unit-tokens <tokens>', 'with reference images: the RMS over all tokens, or over the text and noisy image tokens only').choices(['all', 'text-and-noisy']).default(d?.unitTokens))
    .option('--reference-steps <n>', "denoising steps of generated reference images (default: the checkpoint's, 50 base, 4 distilled)")
    .option('--resume', 'reuse prompts already computed in the output folder (default)')
    .option('--no-resume', 'recompute every prompt')
    .option('--shard <i/n>', 'compute only shard i of n of the prompts into the folder\'s cache (no outputs, no lock: shards may share a folder); then `merge`')
    .option('--config <file>', 'a YAML file with these settings (kebab-case keys); flags win')
    .option('--json', 'print a JSON summary instead of text (messages stay on standard error, without progress bars)')
    .action(async (options: Record<string, unknown>, command: Command) => (await import('./run-action.js')).runAction(options, command));
  withExamples(run, [
    ['the whole probe on the embedded tiny model: a pipeline check in about 10 s', 'moral-plantain run'],
    ['FLUX.2 [klein] 4B on a GPU, 10,000 sign flips', 'moral-plantain run --model flux2-klein-4b --device cuda --permutations 10000 --out klein-4b-probe'],
    ['your own stimuli; the first GPU provider that loads, else the CPU; a JSON summary', 'moral-plantain run --model flux2-klein-4b --stimuli my-set.yaml --device auto --json'],
    ['the settings from a file, flags winning', 'moral-plantain run --config run.yaml --seed 1'],
    ['FLUX.2 [klein] 4B from the Hugging Face cache, built once with int8 weights, on the CPU', 'moral-plantain run --model black-forest-labs/FLUX.2-klein-base-4B --quantize int8 --resolution 512'],
  ]);
}
