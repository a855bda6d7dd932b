import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import { withExamples } from '../help-text.js';

/** The flags of `report` (with the global `--quiet`). */
export interface ReportFlags {
  readonly out?: string;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly title?: string;
  readonly model?: string;
  readonly baseModel?: string;
  readonly tag: readonly string[];
  readonly quiet: boolean;
}

/** Registers `report <results.json>`: README.md (a Hugging Face model card), figures and a per-unit CSV. */
export function registerReportCommand(program: Command): void {
  const report = program
    .command('report')
    .description('render README.md (a Hugging Face model card), figures/*.svg and unit-statistics.csv from results.json')
    .argument('<results>', 'a results.json written by `moral-plantain stats` or `run`, a run.json beside it adds the provenance; - reads the results from standard input')
    .option('--out <dir>', 'folder to write the report into (default: the folder of results.json; the working folder with -)')
    .option('--title <text>', "the card's title (default: from run.json's stimulus set and model, else a neutral one)")
    .option('--model <name>', "the probed model's name (default: run.json's)")
    .option('--base-model <org/name>', "the card's base_model: the Hugging Face repo id of the checkpoint the probed weights come from (default: run.json's, for pretrained weights only)")
    .option('--tag <tag>', 'a tag to add to the card (repeatable)', (tag: string, tags: readonly string[]) => [...tags, tag], [] as readonly string[])
    .option('--force', 'replace report files there that moral-plantain did not write or that were edited since')
    .option('--json', 'print the written paths as JSON')
    .action(async (file: string, options: Omit<ReportFlags, 'quiet'>, command: Command) => (await import('./report-action.js')).reportAction(file, { ...options, quiet: isQuiet(command) }));
  withExamples(report, [
    ['render the card and figures again beside results.json', 'moral-plantain report moral-plantain-out/results.json'],
    ['the statistics piped straight into a report folder', 'moral-plantain stats activations.safetensors --out - | moral-plantain report - --out my-report'],
  ]);
}
