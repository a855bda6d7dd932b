import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { createSessionPool } from '@moral-plantain/model-runtime';
import { runStudy, type StudyOptions } from './run-study.js';
import { cellComplete, modelFingerprint } from './sweep-cell-state.js';
import type { SweepError } from './sweep-error.js';
import { withSweepLock } from './sweep-lock.js';
import { sweepFolder, writeSweepPlan, type SweepFolder, type SweepPlan } from './sweep-plan.js';
import { summariseSweep, type SweepSummary } from './summarise-sweep.js';

/** Options of `runSweep`. */
export interface SweepRunOptions extends Pick<StudyOptions, 'progress' | 'signal' | 'versions'> {
  /** Skip cells whose outputs are complete for their settings and model, and reuse the cells' prompt caches (default true). */
  readonly resume?: boolean;
}

/** What happened to one cell of a local sweep. */
export interface SweepCellOutcome {
  readonly id: string;
  /** `run`: probed now (prompts computed or from its cache); `complete`: its outputs were already there. */
  readonly status: 'run' | 'complete';
  readonly prompts?: { readonly total: number; readonly computed: number; readonly cached: number };
  readonly seconds?: number;
}

/** What a local sweep did. */
export interface SweepOutcome {
  readonly folder: SweepFolder;
  readonly cells: readonly SweepCellOutcome[];
  /** Sessions opened per model and graph (`transformer`, `text-encoder`): one each per model and unit definition. */
  readonly loads: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly summary: SweepSummary;
}

/**
 * Runs every cell of a sweep on this machine, then writes the sweep report. The cells of one model
 * run one after another on sessions shared through a session pool, so the model is loaded once
 * (and again only for another unit definition, whose tapped graph differs); the embedded tiny model
 * and each model's tapped graphs are kept once for the whole sweep in its `.cache/`. Each cell is an
 * ordinary run folder (`runStudy`: locked, resumable, published as one output set); cells already
 * complete for their settings and model are skipped. The sweep folder is locked throughout, and the
 * plan is written into it first.
 */
export function runSweep(plan: SweepPlan, options: SweepRunOptions): TE.TaskEither<SweepError, SweepOutcome> {
  return () =>
    withSweepLock(plan.dir, async () => {
      const folder = sweepFolder(plan.dir);
      const resume = options.resume ?? true;
      const wrote = await writeSweepPlan(plan);
      if (E.isLeft(wrote)) return wrote;
      const outcomes: SweepCellOutcome[] = [];
      const loads: Record<string, Record<string, number>> = {};
      const fingerprints = new Map<string, string | null>();
      for (const [model, cells] of groupBy(plan.cells, (c) => c.model.name)) {
        const pool = createSessionPool();
        try {
          for (const cell of cells) {
            const number = plan.cells.indexOf(cell) + 1;
            const modelDir = cell.model.path ?? folder.cache.embeddedModel;
            if (!fingerprints.has(modelDir)) fingerprints.set(modelDir, await modelFingerprint(modelDir));
            if (resume && (await cellComplete(cell.settings, fingerprints.get(modelDir) ?? null))) {
              options.progress.log(`cell ${number}/${plan.cells.length} ${cell.id}: complete`);
              outcomes.push({ id: cell.id, status: 'complete' });
              continue;
            }
            options.progress.log(`cell ${number}/${plan.cells.length} ${cell.id}`);
            const run = await runStudy(
              { ...cell.settings, resume },
              {
                progress: options.progress,
                ...(options.signal ? { signal: options.signal } : {}),
                ...(options.versions ? { versions: options.versions } : {}),
                sessions: pool,
                embeddedModelDir: folder.cache.embeddedModel,
                // One folder per model: the tapped graphs of its unit definitions share its data files' hard links, which another model's may not.
                tappedDir: path.join(folder.cache.tapped, cell.model.name),
              },
            )();
            if (E.isLeft(run)) return E.left({ _tag: 'Cell', cell: cell.id, error: run.left });
            // The embedded model exists now: later cells check against it.
            if (cell.model.path === null && fingerprints.get(modelDir) === null) fingerprints.delete(modelDir);
            outcomes.push({ id: cell.id, status: 'run', prompts: run.right.prompts, seconds: run.right.seconds.total ?? 0 });
          }
        } finally {
          loads[model] = { ...pool.loads };
          await pool.release();
        }
      }
      const summary = await summariseSweep(plan);
      if (E.isLeft(summary)) return summary;
      return E.right({ folder, cells: outcomes, loads, summary: summary.right });
    });
}

function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) groups.set(key(value), [...(groups.get(key(value)) ?? []), value]);
  return groups;
}
