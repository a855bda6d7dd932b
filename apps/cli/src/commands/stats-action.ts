import * as E from 'fp-ts/lib/Either.js';
import { decodeActivations, describeActivationsError, describeFileSystemError, jsonFileText, readActivations, SEED_MAX, writeFileAtomic } from '@moral-plantain/formats';
import { summarizeResults } from '../results-summary.js';
import { describeStatsError, testActivations } from '@moral-plantain/stats';
import { CliError } from '../cli-error.js';
import { wholeNumberFlag } from '../option-values.js';
import { outputFilePath } from '../output-path.js';
import { print, printSummary, shownPath } from '../print.js';
import { readStandardInput, STDIO_PATH } from '../standard-input.js';
import type { StatsFlags } from './stats.js';

/** Runs `stats`: reads the activations (a file, or standard input for `-`), runs the paired test and writes results.json atomically (or to standard output for `--out -`). */
export async function statsAction(file: string, flags: StatsFlags): Promise<void> {
  const options = {
    ...(flags.permutations !== undefined ? { permutations: wholeNumberFlag('--permutations', flags.permutations, 1, 100_000_000) } : {}),
    ...(flags.seed !== undefined ? { seed: wholeNumberFlag('--seed', flags.seed, 0, SEED_MAX) } : {}),
    ...(flags.splits !== undefined ? { splits: wholeNumberFlag('--splits', flags.splits, 0, 1_000_000) } : {}),
    ...(flags.workers !== undefined ? { workers: wholeNumberFlag('--workers', flags.workers, 1, 256) } : {}),
    ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
  };
  const fromStdin = file === STDIO_PATH;
  const source = fromStdin ? 'standard input' : file;
  const activations = fromStdin ? decodeActivations(await readStandardInput('an activations file (safetensors)')) : await readActivations(file)();
  if (E.isLeft(activations)) {
    const { message, hint } = describeActivationsError(activations.left);
    throw new CliError(activations.left._tag === 'Unreadable' ? message : `${source}: ${message}`, hint);
  }
  const out = await testActivations(activations.right, options)();
  if (E.isLeft(out)) throw new CliError(`${source}: ${out.left.map((e) => describeStatsError(e).message).join(' ')}`, 'Fix the activations or the options and run again.');
  const json = jsonFileText(out.right.results);
  const toStdout = flags.out === STDIO_PATH;
  const target = outputFilePath(flags.out, 'results.json');
  if (!toStdout) {
    await writeFileAtomic(target, json).catch((error: NodeJS.ErrnoException) => {
      throw CliError.from(describeFileSystemError(error, target, 'write'));
    });
  }
  if (toStdout || flags.json) print(json);
  if (flags.json) return;
  const summary = [...summarizeResults(out.right.results), ...(toStdout ? [] : [`wrote ${shownPath(target)}`])];
  printSummary(`${summary.join('\n')}\n`, { quiet: flags.quiet, stdoutCarriesData: toStdout });
}
