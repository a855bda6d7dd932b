import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { parseProbeResults, writeReport, type RunProvenance, type WrittenReport } from '@moral-plantain/report';
import { readRunRecord } from './run-record.js';
import type { StudyError } from './study-error.js';

/** What `renderRunReport` wrote, and the run record it read (null when there was none beside the results). */
export interface RenderedRunReport {
  readonly written: WrittenReport;
  readonly runRecord: string | null;
  readonly provenance: RunProvenance | null;
}

/**
 * Renders the report of a results.json again (README.md model card, figures, CSV) into `outDir`
 * (default: the results' folder), with the provenance of the run.json beside it when there is one.
 */
export function renderRunReport(resultsFile: string, outDir?: string): TE.TaskEither<StudyError, RenderedRunReport> {
  return async () => {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(resultsFile, 'utf8'));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
      return E.left({ _tag: 'ResultsUnreadable', file: resultsFile, reason });
    }
    const results = parseProbeResults(json);
    if (E.isLeft(results)) return E.left({ _tag: 'Report', error: results.left });
    const runFile = path.join(path.dirname(resultsFile), 'run.json');
    const provenance = existsSync(runFile) ? await readRunRecord(runFile)() : E.right(null);
    if (E.isLeft(provenance)) return provenance;
    const written = await writeReport(path.resolve(outDir ?? path.dirname(resultsFile)), { results: results.right, ...(provenance.right ? { provenance: provenance.right } : {}) })();
    if (E.isLeft(written)) return E.left({ _tag: 'Report', error: written.left });
    return E.right({ written: written.right, runRecord: provenance.right ? runFile : null, provenance: provenance.right });
  };
}
