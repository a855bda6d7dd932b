import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { checkOutputs, errorReason, publishOutputs, stageOutputs } from '@moral-plantain/formats';
import { parseProbeResults, SWEEP_REPORT_FILES, writeSweepReport, type SweepCell } from '@moral-plantain/report';
import { loadStimulusSet } from '@moral-plantain/stimuli';
import { runFolder } from './run-folder.js';
import { parseRunRecord } from './run-record.js';
import type { SweepError } from './sweep-error.js';
import { sweepFolder, type SweepPlan } from './sweep-plan.js';

/** What a sweep's summary wrote, and the cells it compared. */
export interface SweepSummary {
  /** The sweep report (README.md in the sweep folder). */
  readonly readme: string;
  readonly files: readonly string[];
  readonly cells: readonly SweepCell[];
  /** Planned cells without complete outputs, left out. */
  readonly missing: readonly string[];
}

/**
 * The sweep report of a plan, from its cells' results.json and run.json: README.md (one page
 * comparing the cells), sweep-results.json, sweep-cells.csv and the figure, published into the
 * sweep folder as one output set. Cells without complete outputs are left out and named. The
 * caller holds the sweep folder's lock.
 */
export async function summariseSweep(plan: SweepPlan): Promise<E.Either<SweepError, SweepSummary>> {
  const folder = sweepFolder(plan.dir);
  const cells: SweepCell[] = [];
  const missing: string[] = [];
  for (const cell of plan.cells) {
    const run = runFolder(cell.settings.out);
    const outputs = await checkOutputs(run.dir);
    const results = outputs.manifest && !outputs.pending && outputs.mismatched.length === 0 ? await readJson(run.results) : null;
    const parsed = results === null ? null : parseProbeResults(results);
    const record = await readJson(run.runRecord);
    const provenance = record === null ? null : parseRunRecord(record);
    if (parsed === null || E.isLeft(parsed) || provenance === null || E.isLeft(provenance)) {
      missing.push(cell.id);
      continue;
    }
    const stimuli = provenance.right.stimuli;
    cells.push({
      id: cell.id,
      stimuli: cell.stimuli.name,
      axis: stimuli?.axis ?? cell.stimuli.name,
      ...(stimuli?.conditions ? { conditions: stimuli.conditions } : {}),
      model: cell.model.name,
      modelKind: provenance.right.model?.kind ?? 'pretrained',
      controlFor: cell.model.controlFor,
      seed: cell.seed,
      units: cell.units.name,
      results: parsed.right,
      report: path.relative(folder.dir, run.readme).split(path.sep).join('/'),
    });
  }
  const contrasts: Record<string, string> = {};
  for (const stimuli of new Map(plan.cells.map((c) => [c.stimuli.name, c.stimuli])).values()) {
    const loaded = loadStimulusSet(stimuli.source);
    if (E.isRight(loaded) && loaded.right.set.contrast !== undefined) contrasts[stimuli.name] = loaded.right.set.contrast;
  }

  const failed = (error: unknown, at: string): E.Either<SweepError, never> => E.left({ _tag: 'Study', error: { _tag: 'WriteFailed', path: at, reason: errorReason(error) } });
  let staging: string;
  try {
    staging = await stageOutputs(folder.dir);
  } catch (error) {
    return failed(error, folder.dir);
  }
  const written = await writeSweepReport(staging, { name: plan.name, cells, contrasts, missing })();
  if (E.isLeft(written)) {
    const error = written.left;
    return E.left({ _tag: 'Study', error: { _tag: 'Report', error: error._tag === 'WriteFailed' ? { ...error, path: path.join(folder.dir, path.relative(staging, error.path)) } : error } });
  }
  try {
    await publishOutputs(folder.dir);
  } catch (error) {
    return failed(error, folder.dir);
  }
  const files = Object.values(SWEEP_REPORT_FILES).map((file) => path.join(folder.dir, file));
  return E.right({ readme: path.join(folder.dir, SWEEP_REPORT_FILES.readme), files, cells, missing });
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}
