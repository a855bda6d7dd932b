import type { ModelKind } from '@moral-plantain/formats';
import type { ProbeResults, ThresholdResult } from '@moral-plantain/stats';

/** One cell of a sweep (one model x stimulus set x seed x unit definition), as its report reads it. */
export interface SweepCell {
  /** The cell's id, also its folder's name. */
  readonly id: string;
  /** The stimulus set's name and the axis it probes. */
  readonly stimuli: string;
  readonly axis: string;
  /** The labels of the two conditions, when known. */
  readonly conditions?: { readonly a: string; readonly b: string };
  /** The model's label in the sweep, and the kind of its weights. */
  readonly model: string;
  readonly modelKind: ModelKind;
  /** The label of the model this one is the random-init control of, or null. */
  readonly controlFor: string | null;
  readonly seed: number;
  /** The unit definition's label. */
  readonly units: string;
  readonly results: ProbeResults;
  /** The cell's report, relative to the sweep report. */
  readonly report: string;
}

/** Mean, smallest and largest of one measure over the seeds of a row (null where no seed has a value). */
export interface SeedSummary {
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** The measures the sweep report compares, per cell. */
export interface CellMeasures {
  /** Share of units with |t| > 3, and its count's ratio to the null p99 (null when the p99 is 0). */
  readonly t3: number | null;
  readonly t3Ratio: number | null;
  /** Share of units with |t| > 5, and its ratio to the null p99. */
  readonly t5: number | null;
  readonly t5Ratio: number | null;
  /** The null p99 of each count, as a share of the units. */
  readonly t3NullShare: number | null;
  readonly t5NullShare: number | null;
  /** Median split-half r of the per-unit t vectors. */
  readonly splitHalf: number | null;
}

/** One row of the sweep table: a stimulus set, a model and a unit definition, over its seeds. */
export interface SweepRow {
  readonly stimuli: string;
  readonly axis: string;
  /** The axis as tables and figures name it: the axis, with the set's name when another set of the sweep probes the same axis. */
  readonly label: string;
  readonly conditions?: { readonly a: string; readonly b: string };
  readonly model: string;
  readonly modelKind: ModelKind;
  readonly controlFor: string | null;
  readonly units: string;
  readonly seeds: readonly number[];
  readonly nPairs: number;
  readonly nUnits: number;
  readonly measures: { readonly [K in keyof CellMeasures]: SeedSummary };
}

/** The measures of one cell from its results (the |t| > 3 and |t| > 5 thresholds; null where the results lack one). */
export function cellMeasures(results: ProbeResults): CellMeasures {
  const t3 = threshold(results, 3);
  const t5 = threshold(results, 5);
  return {
    t3: t3?.fraction ?? null,
    t3Ratio: t3?.ratioToNullP99 ?? null,
    t5: t5?.fraction ?? null,
    t5Ratio: t5?.ratioToNullP99 ?? null,
    t3NullShare: t3 ? t3.nullP99 / results.nUnits : null,
    t5NullShare: t5 ? t5.nullP99 / results.nUnits : null,
    splitHalf: results.splitHalf?.median ?? null,
  };
}

/**
 * The rows of the sweep table: cells grouped by stimulus set, model and unit definition, each
 * measure summarised over the seeds. Rows come in the order of the cells' stimulus sets, then
 * models (each random-init control right after the model it controls), then unit definitions.
 */
export function sweepRows(cells: readonly SweepCell[]): SweepRow[] {
  const groups = new Map<string, SweepCell[]>();
  for (const cell of cells) {
    const key = JSON.stringify([cell.stimuli, cell.model, cell.units]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const stimuliOrder = unique(cells.map((c) => c.stimuli));
  const modelOrder = modelsInOrder(cells);
  const unitsOrder = unique(cells.map((c) => c.units));
  const labels = axisLabels(cells);
  const rows = [...groups.values()].map((group): SweepRow => {
    const [first] = group as [SweepCell, ...SweepCell[]];
    const measures = group.map((c) => cellMeasures(c.results));
    const summary = (key: keyof CellMeasures) => summarise(measures.map((m) => m[key]));
    return {
      stimuli: first.stimuli,
      axis: first.axis,
      label: labels.get(first.stimuli) ?? first.axis,
      ...(first.conditions ? { conditions: first.conditions } : {}),
      model: first.model,
      modelKind: first.modelKind,
      controlFor: first.controlFor,
      units: first.units,
      seeds: group.map((c) => c.seed).sort((a, b) => a - b),
      nPairs: first.results.nPairs,
      nUnits: first.results.nUnits,
      measures: {
        t3: summary('t3'),
        t3Ratio: summary('t3Ratio'),
        t5: summary('t5'),
        t5Ratio: summary('t5Ratio'),
        t3NullShare: summary('t3NullShare'),
        t5NullShare: summary('t5NullShare'),
        splitHalf: summary('splitHalf'),
      },
    };
  });
  const rank = (row: SweepRow) => [stimuliOrder.indexOf(row.stimuli), modelOrder.indexOf(row.model), unitsOrder.indexOf(row.units)];
  return rows.sort((a, b) => compareRanks(rank(a), rank(b)));
}

/** The label of each stimulus set's axis: the axis, followed by the set's name when another set of the cells probes the same axis. */
export function axisLabels(cells: readonly SweepCell[]): Map<string, string> {
  const sets = new Map(cells.map((c) => [c.stimuli, c.axis]));
  const shared = (axis: string) => [...sets.values()].filter((a) => a === axis).length > 1;
  return new Map([...sets].map(([stimuli, axis]) => [stimuli, shared(axis) ? `${axis} (${stimuli})` : axis]));
}

/** Mean, min and max of the values that are numbers. */
export function summarise(values: readonly (number | null)[]): SeedSummary {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return { mean: null, min: null, max: null };
  return { mean: present.reduce((a, b) => a + b, 0) / present.length, min: Math.min(...present), max: Math.max(...present) };
}

/** Model labels in order of first appearance, each control moved right after the model it controls. */
function modelsInOrder(cells: readonly SweepCell[]): string[] {
  const controlOf = new Map(cells.map((c) => [c.model, c.controlFor]));
  const models = unique(cells.map((c) => c.model));
  const controlled = new Set(models.filter((m) => controlOf.get(m) && models.includes(controlOf.get(m)!)));
  return models.filter((m) => !controlled.has(m)).flatMap((m) => [m, ...models.filter((c) => controlled.has(c) && controlOf.get(c) === m)]);
}

function threshold(results: ProbeResults, value: number): ThresholdResult | undefined {
  return results.thresholds.find((t) => t.stat === 't' && t.value === value);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
