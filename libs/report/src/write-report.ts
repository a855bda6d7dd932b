import path from 'node:path';
import * as A from 'fp-ts/lib/Array.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { errorReason, writeFileAtomic } from '@moral-plantain/formats';
import type { ProbeResults } from '@moral-plantain/stats';
import { checkCardOverrides } from './card-facts.js';
import type { CausalTestInput } from './causal-test.js';
import { renderFigures, reportFigureLinks } from './figures/report-figures.js';
import { renderModelCard, type ModelCardOptions } from './model-card.js';
import type { ReportError } from './report-error.js';
import type { ResultDistributions } from './result-distributions.js';
import type { RunProvenance } from './run-provenance.js';
import { renderUnitCsv } from './unit-csv.js';

/** Name of the per-unit statistics CSV inside a report folder. */
export const UNIT_CSV_FILE = 'unit-statistics.csv';

/** What a report is made from. */
export interface ReportInput {
  readonly results: ProbeResults;
  /** The run's provenance (run.json); optional, the report says what is missing. */
  readonly provenance?: RunProvenance;
  /** Full null / split distributions for the figures; optional. */
  readonly distributions?: ResultDistributions;
  /** A causal test of the units whose files are already in the folder, for the card's section; optional. */
  readonly causalTest?: CausalTestInput;
}

/** Paths of the files a report wrote. */
export interface WrittenReport {
  readonly readme: string;
  readonly csv: string;
  readonly figures: readonly string[];
}

/**
 * Renders and writes a report folder: `figures/*.svg`, `unit-statistics.csv` and `README.md` (the
 * model card, linking the others by relative path). The card's overrides are checked first
 * (`checkCardOverrides`); nothing is written when they are invalid. Every file is written
 * atomically; README.md goes last so a folder with a README always has its figures.
 */
export function writeReport(outDir: string, input: ReportInput, options: ModelCardOptions = {}): TE.TaskEither<ReportError, WrittenReport> {
  return pipe(
    TE.fromEither(checkCardOverrides(options, input.provenance)),
    TE.flatMap(() => renderFigures(input.results, input.distributions)),
    TE.flatMap((figures) =>
      pipe(
        [...figures],
        A.traverse(TE.ApplicativeSeq)((figure) => writeReportFile(path.join(outDir, figure.path), figure.svg)),
        TE.map((paths) => ({ paths })),
      ),
    ),
    TE.flatMap(({ paths }) =>
      pipe(
        writeReportFile(path.join(outDir, UNIT_CSV_FILE), renderUnitCsv(input.results)),
        TE.flatMap((csv) => {
          const card = renderReportCard(input, options);
          return pipe(
            writeReportFile(path.join(outDir, 'README.md'), card),
            TE.map((readme): WrittenReport => ({ readme, csv, figures: paths })),
          );
        }),
      ),
    ),
  );
}

/**
 * The README.md model card of a report as `writeReport` writes it: linking the report's figures and
 * per-unit CSV by their paths in the folder (and the causal test's files, when there is one). For
 * rendering the card again without drawing the figures.
 */
export function renderReportCard(input: ReportInput, options: ModelCardOptions = {}): string {
  return renderModelCard(
    {
      results: input.results,
      ...(input.provenance ? { provenance: input.provenance } : {}),
      figures: reportFigureLinks(input.results),
      csvPath: UNIT_CSV_FILE,
      ...(input.causalTest ? { causalTest: input.causalTest } : {}),
    },
    options,
  );
}

/** One file of the report, written atomically; resolves to its path. */
function writeReportFile(file: string, content: string): TE.TaskEither<ReportError, string> {
  return TE.tryCatch(
    () => writeFileAtomic(file, content).then(() => file),
    (error): ReportError => ({ _tag: 'WriteFailed', path: file, reason: errorReason(error) }),
  );
}
