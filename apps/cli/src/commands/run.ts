import path from 'node:path';
import { Option, type Command } from 'commander';
import { createProgressDisplay, formatSeconds } from '../run/progress-display.js';
import { EXIT_INTERRUPTED, runPipeline, type RunOutcome } from '../run/run-pipeline.js';
import { readRunConfig, resolveRunSettings, RUN_DEFAULTS, type RawSettings, type RunSettings } from '../run/run-settings.js';

/** Flags whose values come from the command line when typed there, else from --config, else defaults. */
const SETTING_FLAGS: readonly (keyof RunSettings)[] = [
  'model', 'stimuli', 'out', 'device', 'seed', 'resolution', 'batchSize', 'permutations', 'splits', 'unitWidth', 'channels', 'resume', 'json',
];

/** Registers `run`: the whole probe, from stimuli to the report. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the whole probe: stimuli -> one tapped denoising step per prompt -> statistics -> report (default: the embedded tiny model)')
    .option('--model <dir>', 'a model folder (`model build`, or an ONNX export); default: the embedded tiny seeded model')
    .option('--stimuli <file|name>', 'a stimulus-set YAML file or a built-in set', RUN_DEFAULTS.stimuli)
    .option('--out <dir>', 'output folder', RUN_DEFAULTS.out)
    .addOption(new Option('--device <device>', 'execution device').choices(['cpu', 'cuda', 'webgpu', 'auto']).default(RUN_DEFAULTS.device))
    .option('--seed <s>', 'seed of the noise latents, sign flips and splits', RUN_DEFAULTS.seed)
    .option('--resolution <px>', 'image size N or WxH in pixels (default: the model\'s; 1024 for real models)')
    .option('--batch-size <n>', 'prompts per transformer call', RUN_DEFAULTS.batchSize)
    .option('--permutations <n>', 'random sign flips (all patterns when 2^pairs is no more)', RUN_DEFAULTS.permutations)
    .option('--splits <k>', 'split-half splits (0 skips)', RUN_DEFAULTS.splits)
    .option('--unit-width <c>', 'channels per unit', RUN_DEFAULTS.unitWidth)
    .option('--channels <a:b>', 'channel range of each tapped input, e.g. 0:3072 for attention channels only (default all)')
    .option('--resume', 'reuse prompts already computed in the output folder (default)')
    .option('--no-resume', 'recompute every prompt')
    .option('--config <file>', 'a YAML file with these settings (kebab-case keys); flags win')
    .option('--json', 'print a JSON summary instead of text')
    .action(async (options: Record<string, unknown> & { config?: string }, command: Command) => {
      const flags: RawSettings = {};
      for (const key of SETTING_FLAGS) {
        if (command.getOptionValueSource(key) === 'cli') flags[key] = options[key];
      }
      const config = options.config ? await readRunConfig(options.config) : {};
      const settings = resolveRunSettings(config, flags);
      const display = createProgressDisplay(process.stderr, settings.json);
      const controller = new AbortController();
      const stop = () => {
        if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
        display.log('stopping after the current batch (press Ctrl-C again to quit at once)...');
        controller.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        const outcome = await runPipeline(settings, display, controller.signal);
        process.stdout.write(settings.json ? `${JSON.stringify(summaryJson(outcome), null, 2)}\n` : summaryText(outcome));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function summaryJson(o: RunOutcome): object {
  return { outDir: o.outDir, readme: o.readme, tinyModel: o.tinyModel, device: o.device, prompts: o.prompts, seconds: o.seconds, thresholds: o.results.thresholds, maxAbsT: o.results.maxAbsT, splitHalf: o.results.splitHalf };
}

function summaryText(o: RunOutcome): string {
  const r = o.results;
  const lines = r.thresholds.map((t) => {
    const ratio = t.ratioToNullP99 === null ? 'null p99 = 0' : `${t.ratioToNullP99.toFixed(1)}x null p99`;
    return `  |${t.stat}| > ${t.value}: ${t.observed.toLocaleString('en-US')} of ${r.nUnits.toLocaleString('en-US')} units (${(t.fraction * 100).toFixed(1)}%), ${ratio}, p = ${t.p.toPrecision(2)}`;
  });
  const split = r.splitHalf?.median === null || r.splitHalf === null ? '' : `  split-half r: median ${r.splitHalf.median.toFixed(3)} [${r.splitHalf.q1!.toFixed(2)}, ${r.splitHalf.q3!.toFixed(2)}]\n`;
  const rel = path.relative(process.cwd(), o.readme);
  return [
    `done in ${formatSeconds(o.seconds.total ?? 0)} on ${o.device}: ${r.nPairs} pairs x ${r.nUnits.toLocaleString('en-US')} units`,
    ...lines,
    `${split}  max |t|: ${r.maxAbsT.value?.toFixed(2) ?? 'n/a'} (${r.maxAbsT.group ?? '-'})`,
    o.tinyModel ? 'this is the tiny seeded model: the numbers check the pipeline, they are not a finding about FLUX.2' : '',
    `report: ${rel.startsWith('..') ? o.readme : rel}`,
    '',
  ].filter((l, i, all) => l !== '' || i === all.length - 1).join('\n');
}
