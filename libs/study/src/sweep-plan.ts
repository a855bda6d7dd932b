import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { jsonChecks, writeJsonFile } from '@moral-plantain/formats';
import { resolveRunSettings, type RunSettings } from './run-settings.js';
import type { Shard } from './run-shard.js';
import type { SweepError } from './sweep-error.js';
import type { SweepModel, SweepSpec, SweepStimuli, SweepUnits } from './sweep-file.js';

/** Identifier of `sweep-plan.json`. */
export const SWEEP_PLAN_FORMAT = 'moral-plantain/sweep-plan@1';

/** One cell of a sweep: a model, a stimulus set, a seed and a unit definition, and the settings of its run. */
export interface SweepCellPlan {
  /** `<model>--<stimuli>--seed-<seed>--<units>`: unique in the sweep, and its folder's name. */
  readonly id: string;
  readonly model: SweepModel;
  readonly stimuli: SweepStimuli;
  readonly seed: number;
  readonly units: SweepUnits;
  /** The settings of the cell's run (`out`: its folder, `cells/<id>` in the sweep folder). */
  readonly settings: RunSettings;
}

/** One task of a sweep run as a job array: a shard of a cell; its index is its array index. */
export interface SweepTask {
  readonly index: number;
  readonly cell: string;
  readonly shard: Shard;
}

/** A sweep made concrete: every cell with its settings, and the tasks of a job array (`sweep-plan.json`). */
export interface SweepPlan {
  readonly format: typeof SWEEP_PLAN_FORMAT;
  readonly name: string;
  /** The sweep file it was planned from, and the sweep folder (absolute). */
  readonly file: string;
  readonly dir: string;
  /** Shards per cell. */
  readonly shards: number;
  readonly cells: readonly SweepCellPlan[];
  /** Task i is shard (i mod shards) + 1 of cell floor(i / shards). */
  readonly tasks: readonly SweepTask[];
}

/** The files and folders of a sweep folder. */
export interface SweepFolder {
  readonly dir: string;
  /** The plan the tasks read (`sweep-plan.json`). */
  readonly plan: string;
  readonly cells: string;
  /** Job scripts and their logs. */
  readonly slurm: string;
  readonly kubernetes: string;
  readonly logs: string;
  /** The lock of a live local sweep, plan or merge. */
  readonly lock: string;
  /** What a local sweep shares between its cells: the embedded model, and the tapped graphs (a folder per model). */
  readonly cache: { readonly embeddedModel: string; readonly tapped: string };
}

/** The layout of the sweep folder `dir`. */
export function sweepFolder(dir: string): SweepFolder {
  const root = path.resolve(dir);
  return {
    dir: root,
    plan: path.join(root, 'sweep-plan.json'),
    cells: path.join(root, 'cells'),
    slurm: path.join(root, 'slurm'),
    kubernetes: path.join(root, 'kubernetes'),
    logs: path.join(root, 'logs'),
    lock: path.join(root, '.moral-plantain-sweep.lock'),
    cache: { embeddedModel: path.join(root, '.cache', 'model-tiny'), tapped: path.join(root, '.cache', 'tapped') },
  };
}

/**
 * The cells of a sweep (models x stimulus sets x seeds x unit definitions, in that order of
 * nesting, so the cells of one model come together) and its tasks. Each cell's settings are the
 * run defaults, then the sweep's shared `settings`, then the cell's model, stimuli, seed and unit
 * definition, with its folder `cells/<id>`.
 */
export function planSweep(spec: SweepSpec): SweepPlan {
  const folder = sweepFolder(spec.out);
  const cells: SweepCellPlan[] = [];
  for (const model of spec.models) {
    for (const units of spec.units) {
      for (const stimuli of spec.stimuli) {
        for (const seed of spec.seeds) {
          const id = `${model.name}--${stimuli.name}--seed-${seed}--${units.name}`;
          const resolved = resolveRunSettings(
            {
              ...spec.settings,
              model: model.path,
              stimuli: stimuli.source,
              seed,
              ...(units.unitWidth !== null ? { unitWidth: units.unitWidth } : {}),
              ...(units.channels !== null ? { channels: `${units.channels.start}:${units.channels.end}` } : {}),
            },
            { out: path.join(folder.cells, id) },
          );
          // The sweep file was checked with the same rules: a cell cannot fail here.
          if (E.isLeft(resolved)) throw new Error(`cell ${id}: ${resolved.left.join('; ')}`);
          cells.push({ id, model, stimuli, seed, units, settings: resolved.right });
        }
      }
    }
  }
  const tasks = cells.flatMap((cell, c) => Array.from({ length: spec.shards }, (_, s): SweepTask => ({ index: c * spec.shards + s, cell: cell.id, shard: { index: s + 1, count: spec.shards } })));
  return { format: SWEEP_PLAN_FORMAT, name: spec.name, file: spec.file, dir: folder.dir, shards: spec.shards, cells, tasks };
}

/** Writes the plan into its sweep folder, atomically. */
export async function writeSweepPlan(plan: SweepPlan): Promise<E.Either<SweepError, string>> {
  const file = sweepFolder(plan.dir).plan;
  return writeJsonFile(file, plan).then(
    () => E.right(file),
    (error: NodeJS.ErrnoException) => E.left({ _tag: 'Study', error: { _tag: 'WriteFailed', path: file, reason: error.code ?? String(error) } }),
  );
}

const { arrayOf, count, fail, str, struct } = jsonChecks;

const planShape = struct<Record<string, unknown>>({
  format: (value, at) => (value === SWEEP_PLAN_FORMAT ? E.right(value) : fail(at, `must be "${SWEEP_PLAN_FORMAT}" (got ${JSON.stringify(value)})`)),
  name: str,
  dir: str,
  shards: count,
  cells: arrayOf(struct({ id: str, seed: count, settings: struct({ out: str, stimuli: str }) })),
  tasks: arrayOf(struct({ index: count, cell: str, shard: struct({ index: count, count: count }) })),
});

/** Reads a sweep plan (`sweep-plan.json`) and checks its shape and that its tasks name its cells. */
export function readSweepPlan(file: string): TE.TaskEither<SweepError, SweepPlan> {
  return async () => {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      return E.left({ _tag: 'SweepPlanInvalid', file, problems: [`it cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`] });
    }
    const shape = planShape(json, '');
    if (E.isLeft(shape)) return E.left({ _tag: 'SweepPlanInvalid', file, problems: shape.left });
    const plan = json as SweepPlan;
    const ids = new Set(plan.cells.map((c) => c.id));
    const stray = plan.tasks.filter((t, i) => t.index !== i || !ids.has(t.cell));
    return stray.length > 0 ? E.left({ _tag: 'SweepPlanInvalid', file, problems: [`task ${stray[0]?.index} names no cell of the plan or is out of order`] }) : E.right(plan);
  };
}
