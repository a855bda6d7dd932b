import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describeStudyError, renderRunReport } from '@moral-plantain/study';
import { CliError } from '../cli-error.js';
import { printJson, printSummary, shownPath } from '../print.js';
import { readStandardInputText, refuseStdioFolder, STDIO_PATH } from '../standard-input.js';
import type { ReportFlags } from './report.js';

/** Runs `report`: renders the card, figures and CSV of a results.json (or of results on standard input for `-`), with the provenance of the run.json beside it and the card flags. */
export async function reportAction(file: string, flags: ReportFlags): Promise<void> {
  refuseStdioFolder('report', '--out', flags.out);
  const card = {
    ...(flags.title !== undefined ? { title: flags.title } : {}),
    ...(flags.model !== undefined ? { modelName: flags.model } : {}),
    ...(flags.baseModel !== undefined ? { baseModel: flags.baseModel } : {}),
    ...(flags.tag.length > 0 ? { extraTags: flags.tag } : {}),
  };
  const results = file === STDIO_PATH ? { text: await readStandardInputText('a results.json'), name: 'on standard input' } : file;
  const rendered = await renderRunReport(results, { ...(flags.out !== undefined ? { outDir: flags.out } : {}), ...(flags.force ? { force: true } : {}), card })();
  if (E.isLeft(rendered)) throw CliError.from(describeStudyError(rendered.left));
  const { written, runRecord, provenance } = rendered.right;
  if (flags.json) return printJson({ readme: written.readme, csv: written.csv, figures: written.figures, runRecord });
  const lines = [`wrote ${shownPath(written.readme)}, ${shownPath(written.csv)} and ${written.figures.length} figures in ${shownPath(path.dirname(written.figures[0] ?? written.readme))}`];
  if (!provenance) lines.push(`${file === STDIO_PATH ? 'results from standard input have no run.json' : `no run.json beside ${file}`}: the card states the statistics and what you gave it (--title, --model, --base-model, --tag), nothing else`);
  if (provenance?.model?.kind === 'tiny-seeded') lines.push('the model is the tiny seeded-random one: the report is a pipeline check, not a finding');
  printSummary(`${lines.join('\n')}\n`, flags);
}
