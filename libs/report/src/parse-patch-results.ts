import * as A from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { jsonChecks } from '@moral-plantain/formats';
import { PATCH_DIRECTIONS, PATCH_FORMAT, type PatchEffectResult, type PatchResults, type PatchTestResult } from '@moral-plantain/stats';
import type { ReportError } from './report-error.js';

const { arrayOf, bool, count, fail, num, nullable, oneOf, str, struct } = jsonChecks;
type Check<T> = jsonChecks.Check<T>;
type Problems = jsonChecks.Problems;

/**
 * Checks that a parsed `patch.json` is a `moral-plantain/patch@1` object the card can render: every
 * field present with the right type, per-pair arrays of `nPairs` entries. Keys beyond the contract
 * (what the writer adds about the run) are left out. All problems are reported at once.
 */
export function parsePatchResults(json: unknown): E.Either<ReportError, PatchResults> {
  return pipe(
    patchShape(json, ''),
    E.flatMap(consistency),
    E.mapLeft((problems): ReportError => ({ _tag: 'InvalidResults', problems: problems.map((p) => `patch results: ${p}`) })),
  );
}

const probability: Check<number> = (value, path) =>
  pipe(
    num(value, path),
    E.flatMap((x): E.Either<Problems, number> => (x >= 0 && x <= 1 ? E.right(x) : fail(path, `must be from 0 to 1 (got ${x})`))),
  );
const nonNegative: Check<number> = (value, path) =>
  pipe(
    num(value, path),
    E.flatMap((x): E.Either<Problems, number> => (x >= 0 ? E.right(x) : fail(path, `must not be negative (got ${x})`))),
  );
const grid: Check<readonly (readonly number[])[]> = arrayOf(arrayOf(num));

const testShape: Check<PatchTestResult> = struct<PatchTestResult & Record<string, unknown>>({
  observed: num,
  byDirection: arrayOf(num),
  perPair: arrayOf(num),
  values: grid,
  nullMeans: grid,
  null: struct({ count: count, mean: num, sd: nonNegative, p05: num, p50: num, p95: num, p99: num }),
  p: probability,
  acrossPairs: struct({ meanExcess: num, pairsInDirection: count, pairs: count, p: nullable(probability), exact: bool, permutations: count }),
}) as Check<PatchTestResult>;

const effectShape: Check<PatchEffectResult> = struct<PatchEffectResult & Record<string, unknown>>({
  k: count,
  mode: oneOf(['match', 'zero', 'factor'] as const),
  factor: nullable(num),
  units: arrayOf(count),
  groups: arrayOf(struct({ name: str, units: count, of: count })),
  possibleSetsLog10: nonNegative,
  fraction: testShape,
  change: testShape,
  scaleSize: nullable(struct({ observed: nonNegative, nullMean: nonNegative })),
  rmsMatch: nullable(struct({ median: nonNegative, max: nonNegative })),
}) as Check<PatchEffectResult>;

const patchShape: Check<PatchResults> = struct<PatchResults & Record<string, unknown>>({
  format: (value, path) => (value === PATCH_FORMAT ? E.right(PATCH_FORMAT) : fail(path, `must be "${PATCH_FORMAT}" (got ${JSON.stringify(value)})`)),
  measure: str,
  nPairs: count,
  nUnits: count,
  pairs: arrayOf(str),
  directions: arrayOf(oneOf(PATCH_DIRECTIONS)),
  selection: struct({ rule: oneOf(['top-abs-t', 'fwer', 'explicit'] as const), alpha: nullable(probability) }),
  null: struct({ sets: count, seed: count, prng: str, matchedBy: oneOf(['group'] as const), tail: oneOf(['greater'] as const) }),
  acrossPairs: struct({ permutations: count, seed: count }),
  baseline: struct({ distances: arrayOf(nonNegative) }),
  effects: arrayOf(effectShape),
}) as Check<PatchResults>;

function consistency(patch: PatchResults): E.Either<Problems, PatchResults> {
  const problems: string[] = [];
  const n = patch.nPairs;
  if (patch.pairs.length !== n) problems.push(`pairs has ${patch.pairs.length} ids but nPairs is ${n}`);
  if (patch.baseline.distances.length !== n) problems.push(`baseline.distances has ${patch.baseline.distances.length} entries but nPairs is ${n}`);
  for (const [i, effect] of patch.effects.entries()) {
    if (effect.units.length !== effect.k) problems.push(`effects[${i}].units has ${effect.units.length} units but k is ${effect.k}`);
    if (effect.units.some((u) => u >= patch.nUnits)) problems.push(`effects[${i}].units names a unit beyond nUnits (${patch.nUnits})`);
    for (const measure of ['fraction', 'change'] as const) {
      const test = effect[measure];
      if (test.perPair.length !== n || test.values.length !== n || test.nullMeans.length !== n) problems.push(`effects[${i}].${measure} has per-pair arrays of another length than nPairs (${n})`);
      if (test.values.some((row) => row.length !== patch.directions.length)) problems.push(`effects[${i}].${measure}.values rows must have one value per direction`);
    }
  }
  return A.isNonEmpty(problems) ? E.left(problems) : E.right(patch);
}
