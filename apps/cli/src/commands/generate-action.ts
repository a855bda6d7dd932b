import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { setRuntimeLogLevel } from '@moral-plantain/model-runtime';
import { describeStudyError, generateStudy, resolveGenerateSettings, type GenerateOutcome, type GenerateSettingName, type RawGenerateSettings } from '@moral-plantain/study';
import { CliError, EXIT_INTERRUPTED } from '../cli-error.js';
import { isQuiet } from '../global-flags.js';
import { printJson, printSummary, shownPath } from '../print.js';
import { createProgressDisplay, formatSeconds } from '../progress-display.js';
import { refuseStdioFolder, STDIO_PATH } from '../standard-input.js';

const FLAGS: readonly GenerateSettingName[] = ['model', 'revision', 'textLayers', 'quantize', 'quantBlockSize', 'stimuli', 'out', 'device', 'seed', 'steps', 'guidance', 'resolution', 'neutral', 'resume', 'json'];

/** Runs `generate`: the settings, then the images (progress per denoising step), then a summary; a prompt's PNG goes to standard output with `--out -`. */
export async function generateAction(prompt: string | undefined, options: Record<string, unknown>, command: Command): Promise<void> {
  setRuntimeLogLevel(command.optsWithGlobals().verbose ? 'warning' : 'fatal');
  const flags: RawGenerateSettings = { ...(prompt !== undefined ? { prompt } : {}) };
  for (const key of FLAGS) if (command.getOptionValueSource(key) === 'cli') flags[key] = options[key];
  const settings = resolveGenerateSettings(flags);
  if (E.isLeft(settings)) throw CliError.from(describeStudyError({ _tag: 'InvalidSettings', problems: settings.left }));
  if (settings.right.stimuli !== null) refuseStdioFolder('generate --stimuli', '--out', settings.right.out);
  const toStdout = settings.right.prompt !== null && settings.right.out === STDIO_PATH;
  if (toStdout && settings.right.json) throw new CliError('--out - (the PNG on standard output) and --json both write to standard output.', 'Drop one of them.');
  const quiet = isQuiet(command);
  // Progress and messages go to standard error; --json keeps the messages, --quiet drops both.
  const display = createProgressDisplay(process.stderr, { progress: !settings.right.json && !quiet, messages: !quiet });
  const scratch = toStdout ? await mkdtemp(path.join(tmpdir(), 'moral-plantain-generate-')) : null;
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    display.finish();
    process.stderr.write('stopping after the current image (press Ctrl-C again to quit at once; the images written so far are kept)...\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const run = scratch ? { ...settings.right, out: path.join(scratch, 'image.png') } : settings.right;
    const outcome = await generateStudy(run, { progress: display, signal: controller.signal })();
    if (E.isLeft(outcome)) throw CliError.from(describeStudyError(outcome.left), outcome.left._tag === 'Interrupted' ? EXIT_INTERRUPTED : undefined);
    if (scratch) process.stdout.write(await readFile(run.out));
    if (settings.right.json) printJson(summaryJson(outcome.right));
    else printSummary(summaryText(outcome.right, scratch !== null), { quiet, stdoutCarriesData: scratch !== null });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function summaryJson(o: GenerateOutcome): object {
  return { out: o.out, contactSheet: o.contactSheet, images: o.images, generated: o.generated, reused: o.reused, tinyModel: o.tinyModel, sampling: o.sampling, secondsPerStep: o.secondsPerStep, devices: o.devices, seconds: o.seconds };
}

function summaryText(o: GenerateOutcome, toStdout: boolean): string {
  const s = o.sampling;
  const lines = [
    `${o.generated} image${o.generated === 1 ? '' : 's'} drawn${o.reused > 0 ? `, ${o.reused} kept from an earlier run` : ''} in ${formatSeconds(o.seconds)}${o.devices.length > 0 ? ` on ${o.devices.join(', ')}` : ''}` +
      (o.secondsPerStep !== null ? ` (${(o.secondsPerStep * 1000).toFixed(0)} ms per step)` : ''),
    `  ${s.steps} step${s.steps === 1 ? '' : 's'}, ${s.guided ? `guidance ${s.guidance}` : 'no classifier-free guidance'}, seed ${s.seed}, ${s.resolution[1]} x ${s.resolution[0]} pixels`,
    ...(o.tinyModel ? ['this is the tiny seeded model: its images are noise-like and check the pipeline'] : []),
    o.contactSheet ? `contact sheet: ${shownPath(o.contactSheet)}` : toStdout ? 'image: written to standard output' : `image: ${shownPath(o.out)}`,
  ];
  return `${lines.join('\n')}\n`;
}
