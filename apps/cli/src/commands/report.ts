import type { Command } from 'commander';

/** The flags of `report`. */
export interface ReportFlags {
  readonly out?: string;
  readonly json?: boolean;
  readonly force?: boolean;
}

/** Registers `report <results.json>`: README.md (a Hugging Face model card), figures and a per-unit CSV. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('render README.md (a Hugging Face model card), figures/*.svg and unit-statistics.csv from results.json')
    .argument('<results>', 'a results.json written by `moral-plantain stats` or `run`; a run.json beside it adds the provenance')
    .option('--out <dir>', 'folder to write the report into (default: the folder of results.json)')
    .option('--force', 'replace report files there that moral-plantain did not write or that were edited since')
    .option('--json', 'print the written paths as JSON')
    .action(async (file: string, options: ReportFlags) => (await import('./report-action.js')).reportAction(file, options));
}
