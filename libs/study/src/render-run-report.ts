import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { checkOutputs, completeOutputs, errorReason, OUTPUTS_STAGING, publishOutputs, sha256File, stageOutputs, type OutputManifest } from '@moral-plantain/formats';
import {
  checkCardOverrides,
  parsePatchResults,
  parseProbeResults,
  PATCH_CSV_FILE,
  PATCH_FIGURE_FILE,
  writeReport,
  type CardOverrides,
  type CausalTestInput,
  type RunProvenance,
  type WrittenReport,
} from '@moral-plantain/report';
import { PATCH_FIGURE_TITLE, PATCH_JSON_FILE } from './patch/patch-folder.js';
import { runFolder } from './run-folder.js';
import { acquireRunLock } from './run-lock.js';
import { readRunRecord } from './run-record.js';
import type { StudyError } from './study-error.js';

/** What `renderRunReport` wrote, and the run record it read (null when there was none beside the results). */
export interface RenderedRunReport {
  readonly written: WrittenReport;
  readonly runRecord: string | null;
  readonly provenance: RunProvenance | null;
}

/** Results given as text rather than as a file (e.g. read from standard input): no run.json is beside them. */
export interface ResultsText {
  readonly text: string;
  /** How messages name them, after "the results file" (`on standard input`). */
  readonly name: string;
}

/** Options of `renderRunReport`. */
export interface RenderRunReportOptions {
  /** Folder to write into; default: the results' folder (the working folder for results given as text). */
  readonly outDir?: string;
  /** Replace report files (README.md, CSV, figures) there that moral-plantain did not publish, or that were edited since. Default false. */
  readonly force?: boolean;
  /** What the user states for the card (title, model name, base model, tags); each wins over run.json. Default none. */
  readonly card?: CardOverrides;
}

/**
 * Renders the report of a results.json again (README.md model card, figures, CSV) into a folder
 * (default: the results' folder), with the provenance of the run.json beside it when there is one
 * and the card overrides given (checked against it before anything is written); results given as
 * text have no run.json and go to the working folder by default.
 * The folder is locked while it is written; the report files are published with the folder's
 * other outputs as one set (`publishOutputs`), and files there that are not ours are left alone
 * unless `force`.
 */
export function renderRunReport(resultsFile: string | ResultsText, options: RenderRunReportOptions = {}): TE.TaskEither<StudyError, RenderedRunReport> {
  return async () => {
    const file = typeof resultsFile === 'string' ? resultsFile : null;
    const source = file === null ? process.cwd() : path.dirname(path.resolve(file));
    if (file !== null) {
      // A kill while the run published its outputs: finish that first, so the files read belong together.
      await completeOutputs(source).catch(() => false);
      if ((await checkOutputs(source)).pending) return E.left({ _tag: 'InterruptedPublish', dir: source });
    }
    const name = typeof resultsFile === 'string' ? resultsFile : resultsFile.name;
    let json: unknown;
    try {
      json = JSON.parse(typeof resultsFile === 'string' ? await readFile(resultsFile, 'utf8') : resultsFile.text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return E.left({ _tag: 'ResultsUnreadable', file: name, reason: code ? errorReason(error) : `it is not valid JSON (${errorReason(error)})` });
    }
    const results = parseProbeResults(json);
    if (E.isLeft(results)) return E.left({ _tag: 'Report', error: results.left });
    const runFile = path.join(source, 'run.json');
    const provenance = file !== null && existsSync(runFile) ? await readRunRecord(runFile)() : E.right(null);
    if (E.isLeft(provenance)) return provenance;
    const card = checkCardOverrides(options.card ?? {}, provenance.right ?? undefined);
    if (E.isLeft(card)) return E.left({ _tag: 'Report', error: card.left });

    const target = path.resolve(options.outDir ?? source);
    // The card keeps its Causal test section when the causal test's files are in the folder it is written to.
    const causalTest = file !== null && target === source ? await publishedCausalTest(source) : null;
    if (causalTest !== null && E.isLeft(causalTest)) return causalTest;
    const made = await mkdir(target, { recursive: true }).then(
      () => null,
      (error: unknown) => errorReason(error),
    );
    if (made !== null) return E.left({ _tag: 'OutFolderUnusable', dir: target, reason: made });
    const folder = runFolder(target);
    const lock = await acquireRunLock(folder.lock, target)();
    if (E.isLeft(lock)) return lock;
    try {
      const input = { results: results.right, ...(provenance.right ? { provenance: provenance.right } : {}), ...(causalTest !== null ? { causalTest: causalTest.right } : {}) };
      return await publishReport(target, input, options.card ?? {}, options.force ?? false).then(
        (written) => (E.isLeft(written) ? written : E.right({ written: written.right, runRecord: provenance.right ? runFile : null, provenance: provenance.right })),
      );
    } finally {
      await lock.right();
    }
  };
}

/** Writes the report into the staging folder of `target`, refuses to replace files that are not ours, and publishes it with the folder's other outputs. */
async function publishReport(target: string, input: Parameters<typeof writeReport>[1], card: CardOverrides, force: boolean): Promise<E.Either<StudyError, WrittenReport>> {
  const staging = await stageOutputs(target).catch((error: unknown) => errorReason(error));
  if (!path.isAbsolute(staging)) return E.left({ _tag: 'OutFolderUnusable', dir: target, reason: staging });
  const shown = (file: string) => path.join(target, path.relative(staging, file));
  const discard = () => rm(staging, { recursive: true, force: true });
  const written = await writeReport(staging, input, card)();
  if (E.isLeft(written)) {
    await discard();
    return E.left({ _tag: 'Report', error: written.left._tag === 'WriteFailed' ? { ...written.left, path: shown(written.left.path) } : written.left });
  }
  const current = (await checkOutputs(target)).manifest;
  const replaced = [written.right.readme, written.right.csv, ...written.right.figures].map((file) => path.relative(staging, file).split(path.sep).join('/'));
  const foreign = force ? [] : await notOurs(target, replaced, current);
  if (foreign.length > 0) {
    await discard();
    return E.left({ _tag: 'ForeignFiles', dir: target, files: foreign });
  }
  const kept = (current?.files ?? []).map((entry) => entry.path).filter((file) => !replaced.includes(file) && existsSync(path.join(target, file)));
  const published = await publishOutputs(target, kept).then(
    () => null,
    (error: unknown) => errorReason(error),
  );
  if (published !== null) return E.left({ _tag: 'WriteFailed', path: target, reason: published });
  return E.right({ readme: shown(written.right.readme), csv: shown(written.right.csv), figures: written.right.figures.map(shown) });
}

/** The causal test of a folder whose outputs.json lists patch.json (the card's section), or null. */
async function publishedCausalTest(dir: string): Promise<E.Either<StudyError, CausalTestInput> | null> {
  const listed = new Set((await checkOutputs(dir)).manifest?.files.map((f) => f.path) ?? []);
  if (!listed.has(PATCH_JSON_FILE)) return null;
  const file = path.join(dir, PATCH_JSON_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return E.left({ _tag: 'ResultsUnreadable', file, reason: errorReason(error) });
  }
  const patch = parsePatchResults(json);
  if (E.isLeft(patch)) return E.left({ _tag: 'Report', error: patch.left });
  const figure = listed.has(PATCH_FIGURE_FILE) ? { figure: { path: PATCH_FIGURE_FILE, title: PATCH_FIGURE_TITLE } } : {};
  return E.right({ results: patch.right, ...figure, ...(listed.has(PATCH_CSV_FILE) ? { csvPath: PATCH_CSV_FILE } : {}), jsonPath: PATCH_JSON_FILE });
}

/** Of the files a report would replace in `dir`, those that exist and are not in its outputs.json as they are now. */
async function notOurs(dir: string, files: readonly string[], manifest: OutputManifest | null): Promise<string[]> {
  const foreign: string[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    if (!existsSync(full) || file.startsWith(`${OUTPUTS_STAGING}/`)) continue;
    const entry = manifest?.files.find((e) => e.path === file);
    if (!entry || entry.sha256 !== (await sha256File(full))) foreign.push(file);
  }
  return foreign;
}
