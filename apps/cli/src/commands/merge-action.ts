import * as E from 'fp-ts/lib/Either.js';
import { describeStudyError, mergeShards, type MergeOutcome } from '@moral-plantain/study';
import { CliError, EXIT_INTERRUPTED } from '../cli-error.js';
import { printJson, printSummary, shownPath } from '../print.js';
import { refuseStdioFolder } from '../standard-input.js';
import { createProgressDisplay, formatSeconds } from '../progress-display.js';
import { summarizeResults } from '../results-summary.js';
import type { MergeFlags } from './merge.js';

/** Runs `merge`: the shard records of the folders into one run folder, then a summary. */
export async function mergeAction(folders: readonly string[], flags: MergeFlags): Promise<void> {
  const out = flags.out ?? (folders.length === 1 ? folders[0] : undefined);
  if (out === undefined) throw new CliError(`merge was given ${folders.length} folders and no --out.`, 'Name the run folder to write with --out DIR (it may be one of them).');
  refuseStdioFolder('merge', '--out', out);
  const display = createProgressDisplay(process.stderr, { progress: !flags.json && !flags.quiet, messages: !flags.quiet });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const merged = await mergeShards(folders, { out, progress: display, signal: controller.signal })();
    if (E.isLeft(merged)) throw CliError.from(describeStudyError(merged.left), merged.left._tag === 'Interrupted' ? EXIT_INTERRUPTED : undefined);
    if (flags.json) printJson(mergeJson(merged.right));
    else printSummary(mergeText(merged.right), { quiet: flags.quiet });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function mergeJson(o: MergeOutcome): object {
  const r = o.results;
  return { outDir: o.folder.dir, readme: o.folder.readme, shards: o.shards, tinyModel: o.tinyModel, device: o.device, prompts: o.prompts, seconds: o.seconds, thresholds: r.thresholds, maxAbsT: r.maxAbsT, splitHalf: r.splitHalf };
}

function mergeText(o: MergeOutcome): string {
  const lines = [
    `merged ${o.shards} shard${o.shards === 1 ? '' : 's'} in ${formatSeconds(o.seconds.total ?? 0)} (${o.prompts.total} prompts, run on ${o.device ?? 'the cache only'})`,
    ...summarizeResults(o.results).map((line) => `  ${line}`),
    ...(o.tinyModel ? ['this is the tiny seeded model: the numbers check the pipeline, they are not a finding about FLUX.2'] : []),
    `report: ${shownPath(o.folder.readme)}`,
  ];
  return `${lines.join('\n')}\n`;
}
