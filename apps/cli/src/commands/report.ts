import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { describeReportError, parseProbeResults, parseRunProvenance, writeReport, type RunProvenance } from '@moral-plantain/report';
import { CliError } from '../cli-error.js';

interface ReportOptions {
  readonly out?: string;
  readonly json?: boolean;
}

/** Registers `report <results.json>`: README.md (a Hugging Face model card), figures and a per-unit CSV. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('render README.md (a Hugging Face model card), figures/*.svg and unit-statistics.csv from results.json')
    .argument('<results>', 'a results.json written by `moral-plantain stats` or `run`; a run.json beside it adds the provenance')
    .option('--out <dir>', 'folder to write the report into (default: the folder of results.json)')
    .option('--json', 'print the written paths as JSON')
    .action(async (file: string, options: ReportOptions) => {
      const results = parseProbeResults(await readJson(file, 'results file', 'pass the results.json that `moral-plantain stats` wrote'));
      if (E.isLeft(results)) {
        throw new CliError(`${file}: ${describeReportError(results.left)}`, 'write it again with `moral-plantain stats`');
      }
      const runFile = path.join(path.dirname(file), 'run.json');
      const provenance = existsSync(runFile) ? await readProvenance(runFile) : undefined;
      const outDir = path.resolve(options.out ?? path.dirname(file));
      const written = await writeReport(outDir, { results: results.right, ...(provenance ? { provenance } : {}) })();
      if (E.isLeft(written)) {
        throw new CliError(describeReportError(written.left), 'choose a writable folder with --out');
      }
      const { readme, csv, figures } = written.right;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ readme, csv, figures, provenance: provenance ? runFile : null }, null, 2)}\n`);
        return;
      }
      const shown = (p: string) => path.relative(process.cwd(), p) || p;
      const lines = [`wrote ${shown(readme)}, ${shown(csv)} and ${figures.length} figures in ${shown(path.dirname(figures[0] ?? readme))}`];
      if (!provenance) lines.push(`no run.json beside ${file}: the report says that model, stimuli and protocol were not recorded`);
      if (provenance?.model?.kind === 'tiny-seeded') lines.push('the model is the tiny seeded-random one: the report is a pipeline check, not a finding');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

async function readJson(file: string, what: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, hint);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, hint);
  }
}

async function readProvenance(runFile: string): Promise<RunProvenance> {
  const hint = 'fix or remove run.json (the report renders without it)';
  const parsed = parseRunProvenance(await readJson(runFile, 'run provenance', hint));
  if (E.isLeft(parsed)) throw new CliError(`${runFile}: ${describeReportError(parsed.left)}`, hint);
  return parsed.right;
}
