import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { setRuntimeLogLevel } from '@moral-plantain/model-runtime';
import { deviceText } from '@moral-plantain/report';
import { summarizeResults } from '../results-summary.js';
import { describeStudyError, readRunConfig, resolveRunSettings, runShard, runStudy, SETTING_KEYS, shardText, type RawSettings, type SettingName, type ShardOutcome, type StudyOutcome } from '@moral-plantain/study';
import { CliError, EXIT_INTERRUPTED } from '../cli-error.js';
import { isQuiet } from '../global-flags.js';
import { printJson, printSummary, shownPath } from '../print.js';
import { createProgressDisplay, formatSeconds } from '../progress-display.js';
import { refuseStdioFolder } from '../standard-input.js';
import { cliVersion } from '../program.js';

/** Runs `run`: the flags typed on the command line over the config file, then the study, then a summary. */
export async function runAction(options: Record<string, unknown>, command: Command): Promise<void> {
  // ONNX Runtime's own log repeats, in red, failures this CLI already explains (e.g. a missing CUDA
  // provider while --device auto probes); --verbose lets it speak.
  setRuntimeLogLevel(command.optsWithGlobals().verbose ? 'warning' : 'fatal');
  const flags: RawSettings = {};
  for (const key of Object.keys(SETTING_KEYS) as SettingName[]) {
    if (command.getOptionValueSource(key) === 'cli') flags[key] = options[key];
  }
  const config = typeof options.config === 'string' ? await readRunConfig(options.config)() : E.right({});
  if (E.isLeft(config)) throw CliError.from(describeStudyError(config.left));
  const settings = resolveRunSettings(config.right, flags);
  if (E.isLeft(settings)) throw CliError.from(describeStudyError({ _tag: 'InvalidSettings', problems: settings.left }));
  refuseStdioFolder('run', '--out', settings.right.out);
  const quiet = isQuiet(command);
  // Progress and messages go to standard error; --json keeps the messages, --quiet drops both.
  const display = createProgressDisplay(process.stderr, { progress: !settings.right.json && !quiet, messages: !quiet });
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    display.finish();
    process.stderr.write('stopping after the current batch (press Ctrl-C again to quit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const studyOptions = { progress: display, signal: controller.signal, versions: { '@moral-plantain/cli': cliVersion() } };
  try {
    const { shard } = settings.right;
    if (shard !== null) {
      const outcome = await runShard({ ...settings.right, shard }, studyOptions)();
      if (E.isLeft(outcome)) throw CliError.from(describeStudyError(outcome.left), outcome.left._tag === 'Interrupted' ? EXIT_INTERRUPTED : undefined);
      if (settings.right.json) printJson(shardJson(outcome.right));
      else printSummary(shardSummary(outcome.right), { quiet });
      return;
    }
    const outcome = await runStudy(settings.right, studyOptions)();
    if (E.isLeft(outcome)) throw CliError.from(describeStudyError(outcome.left), outcome.left._tag === 'Interrupted' ? EXIT_INTERRUPTED : undefined);
    if (settings.right.json) printJson(summaryJson(outcome.right));
    else printSummary(summaryText(outcome.right), { quiet });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function shardJson(o: ShardOutcome): object {
  return { outDir: o.folder.dir, shard: o.shard, record: o.record, tinyModel: o.tinyModel, device: o.device, batches: o.batches, prompts: o.prompts, seconds: o.seconds };
}

function shardSummary(o: ShardOutcome): string {
  const lines = [
    `shard ${shardText(o.shard)} done in ${formatSeconds(o.seconds.total ?? 0)} on ${o.device ?? 'the cache only'}: ${o.prompts.computed} prompts computed, ${o.prompts.cached} from the cache (batches ${o.batches.first + 1}-${o.batches.end} of ${o.batches.total})`,
    `record: ${shownPath(o.record)}`,
    `when every shard is done: moral-plantain merge ${shownPath(o.folder.dir)}${o.shard.count > 1 ? ' [the other shard folders...]' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

function summaryJson(o: StudyOutcome): object {
  const r = o.results;
  return {
    outDir: o.folder.dir,
    readme: o.folder.readme,
    tinyModel: o.tinyModel,
    device: o.device,
    requestedDevice: o.requestedDevice,
    deviceFallbacks: o.deviceFallbacks,
    prompts: o.prompts,
    seconds: o.seconds,
    thresholds: r.thresholds,
    maxAbsT: r.maxAbsT,
    splitHalf: r.splitHalf,
  };
}

function summaryText(o: StudyOutcome): string {
  const lines = [
    `done in ${formatSeconds(o.seconds.total ?? 0)}, device ${deviceText({ device: o.device, requestedDevice: o.requestedDevice, deviceFallbacks: o.deviceFallbacks })}`,
    ...summarizeResults(o.results).map((line) => `  ${line}`),
    ...(o.tinyModel ? ['this is the tiny seeded model: the numbers check the pipeline, they are not a finding about FLUX.2'] : []),
    `report: ${shownPath(o.folder.readme)}`,
  ];
  return `${lines.join('\n')}\n`;
}
