import path from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { errorReason, jsonFileText, writeFileAtomic } from '@moral-plantain/formats';
import { renderSvg } from '../figures/render-svg.js';
import { sweepAxesSpec } from '../figures/sweep-axes.js';
import { csvField } from '../unit-csv.js';
import type { ReportError } from '../report-error.js';
import { renderSweepReport, type SweepReportInput } from './sweep-report.js';
import { cellMeasures, sweepRows } from './sweep-rows.js';

/** Identifier of `sweep-results.json`. */
export const SWEEP_RESULTS_FORMAT = 'moral-plantain/sweep-results@1';

/** The files of a sweep report, relative to its folder. */
export const SWEEP_REPORT_FILES = { readme: 'README.md', results: 'sweep-results.json', csv: 'sweep-cells.csv', figure: 'figures/sweep-axes.svg' } as const;

/** Columns of `sweep-cells.csv`. */
export const SWEEP_CSV_COLUMNS = ['cell', 'stimuli', 'axis', 'model', 'model_kind', 'control_for', 'seed', 'units', 'pairs', 'unit_count', 't3_share', 't3_ratio_to_null_p99', 't5_share', 't5_ratio_to_null_p99', 'split_half_r'] as const;

/**
 * Writes a sweep report into `dir`, each file atomically: the figure, `sweep-cells.csv` (one row
 * per cell), `sweep-results.json` (the table's rows and every cell's measures) and `README.md`
 * last. Resolves to the paths written.
 */
export function writeSweepReport(dir: string, input: SweepReportInput): TE.TaskEither<ReportError, readonly string[]> {
  const file = (name: string) => path.join(dir, name);
  return pipe(
    renderSvg(SWEEP_REPORT_FILES.figure, sweepAxesSpec(input.cells)),
    TE.flatMap((svg) => write(file(SWEEP_REPORT_FILES.figure), svg)),
    TE.flatMap(() => write(file(SWEEP_REPORT_FILES.csv), sweepCsv(input))),
    TE.flatMap(() => write(file(SWEEP_REPORT_FILES.results), jsonFileText(sweepResults(input)))),
    TE.flatMap(() => write(file(SWEEP_REPORT_FILES.readme), renderSweepReport(input, { figure: SWEEP_REPORT_FILES.figure, csv: SWEEP_REPORT_FILES.csv }))),
    TE.map(() => Object.values(SWEEP_REPORT_FILES).map(file)),
  );
}

/** `sweep-results.json`: the rows of the sweep table (measures summarised over seeds) and each cell's measures. */
export function sweepResults(input: SweepReportInput): object {
  return {
    format: SWEEP_RESULTS_FORMAT,
    name: input.name,
    rows: sweepRows(input.cells),
    cells: input.cells.map((c) => ({ id: c.id, stimuli: c.stimuli, axis: c.axis, model: c.model, modelKind: c.modelKind, controlFor: c.controlFor, seed: c.seed, units: c.units, report: c.report, ...cellMeasures(c.results) })),
    missing: input.missing ?? [],
  };
}

/** One CSV row per cell (RFC 4180, CRLF), full precision, empty where a measure is undefined. */
export function sweepCsv(input: SweepReportInput): string {
  const num = (x: number | null) => (x === null || !Number.isFinite(x) ? '' : String(x));
  const lines = input.cells.map((c) => {
    const m = cellMeasures(c.results);
    return [c.id, c.stimuli, c.axis, c.model, c.modelKind, c.controlFor ?? '', String(c.seed), c.units, String(c.results.nPairs), String(c.results.nUnits), num(m.t3), num(m.t3Ratio), num(m.t5), num(m.t5Ratio), num(m.splitHalf)].map(csvField).join(',');
  });
  return `${[SWEEP_CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

function write(target: string, content: string): TE.TaskEither<ReportError, string> {
  return TE.tryCatch(
    () => writeFileAtomic(target, content).then(() => target),
    (error): ReportError => ({ _tag: 'WriteFailed', path: target, reason: errorReason(error) }),
  );
}
