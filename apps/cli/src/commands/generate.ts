import { Option, type Command } from 'commander';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';
import { addModelSourceOptions } from '../model-source-options.js';

/** Registers `generate`: images of a prompt or of a stimulus set, with a contact sheet. */
export function registerGenerateCommand(program: Command, defaults: HelpDefaults | null): void {
  const d = defaults?.generate;
  const generate = addModelSourceOptions(
    program
      .command('generate')
      .description('draw images as the FLUX.2 klein pipeline samples them: one prompt to a PNG, or both prompts of every pair of a stimulus set, with a contact sheet (default: the embedded tiny model)')
      .argument('[prompt]', 'the prompt to draw (or --stimuli)'),
    'the model to draw with, which must have a VAE',
  )
    .option('--stimuli <file|name>', 'a stimulus-set YAML file or a built-in set: both prompts of every pair, and index.html showing each pair side by side')
    .option('--out <path>', `the PNG file for a prompt (default ${d?.imageFile ?? 'image.png'}; - for standard output), or the folder for a set (default ${d?.imagesDir ?? 'moral-plantain-images'})`)
    .addOption(new Option('--device <device>', 'execution device').choices(['cpu', 'cuda', 'webgpu', 'auto']).default(d?.defaults.device))
    .option('--steps <n>', "denoising steps (default: the checkpoint's, 50 for base models, 4 for distilled ones)")
    .option('--guidance <g>', 'classifier-free guidance scale, negative prompt "" (base models; distilled ones run without)', d?.defaults.guidance)
    .option('--seed <s>', 'seed of the initial noise, the same for every image', d?.defaults.seed)
    .option('--resolution <px>', "image size N or WxH in pixels (default: the model's; 1024 for real models)")
    .option('--neutral', "also draw each pair's neutral scene description (a set)")
    .option('--resume', 'keep the images an earlier run made with the same settings (default)')
    .option('--no-resume', 'draw every image again')
    .option('--json', 'print a JSON summary instead of text (messages stay on standard error, without progress bars)')
    .action(async (prompt: string | undefined, options: Record<string, unknown>, command: Command) => (await import('./generate-action.js')).generateAction(prompt, options, command));
  withExamples(generate, [
    ['one image from the embedded tiny model (noise-like: a pipeline check)', 'moral-plantain generate "A photo of a red kite over a beach" --out kite.png --steps 4'],
    ['both prompts and the neutral scene of every pair, with a contact sheet', 'moral-plantain generate --stimuli moral-plantain --neutral --model flux2-klein-4b --device cuda --out images'],
    ['a distilled checkpoint at 4 steps, the PNG on standard output', 'moral-plantain generate "A photo of a cat" --model flux2-klein-4b-distilled --out - > cat.png'],
    ['from a Hugging Face download (built once into the model cache, weights int8)', 'moral-plantain generate "A photo of a cat" --model black-forest-labs/FLUX.2-klein-base-4B --quantize int8 --device cuda'],
  ]);
}
