import * as A from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { jsonChecks } from '@moral-plantain/formats';
import { RESULTS_FORMAT, type ProbeResults } from '@moral-plantain/stats';
import type { ReportError } from './report-error.js';

const { arrayOf, bool, count, fail, num, numOrNull, nullable, oneOf, optional, str, struct } = jsonChecks;
type Check<T> = jsonChecks.Check<T>;
type Problems = jsonChecks.Problems;

/**
 * Checks that a parsed `results.json` is a `moral-plantain/results@1` object the report can render:
 * every field present with the right type, unit columns of length `nUnits`, groups covering the
 * units. All problems are reported at once.
 */
export function parseProbeResults(json: unknown): E.Either<ReportError, ProbeResults> {
  return pipe(
    resultsShape(json, ''),
    E.flatMap((results) => consistency(results)),
    E.mapLeft((problems): ReportError => ({ _tag: 'InvalidResults', problems })),
  );
}

const column: Check<readonly (number | null)[]> = arrayOf(numOrNull);

/** A finite number in [lo, hi]. */
const within =
  (lo: number, hi: number): Check<number> =>
  (value, path) =>
    pipe(
      num(value, path),
      E.flatMap((x): E.Either<Problems, number> => (x >= lo && x <= hi ? E.right(x) : fail(path, `must be from ${lo} to ${hi} (got ${x})`))),
    );

/** A probability: a number in [0, 1]. */
const probability = within(0, 1);
/** A correlation: a number in [-1, 1]. */
const correlation = within(-1, 1);
/** A non-negative finite number. */
const nonNegative: Check<number> = (value, path) =>
  pipe(
    num(value, path),
    E.flatMap((x): E.Either<Problems, number> => (x >= 0 ? E.right(x) : fail(path, `must not be negative (got ${x})`))),
  );
const orNull =
  <T>(check: Check<T>): Check<T | null> =>
  (value, path) =>
    value === null ? E.right(null) : check(value, path);
const probabilities: Check<readonly (number | null)[]> = arrayOf(orNull(probability));

const resultsShape: Check<ProbeResults> = struct<ProbeResults & Record<string, unknown>>({
  format: (value, path) =>
    value === RESULTS_FORMAT ? E.right(RESULTS_FORMAT) : fail(path, `must be "${RESULTS_FORMAT}" (got ${JSON.stringify(value)})`),
  nPairs: count,
  nUnits: count,
  zeroVarianceUnits: (value, path) => (value === undefined ? E.right(0) : count(value, path)),
  // Added after results@1 was first written: absent in older files, where the report applies its |d_z| part.
  nearConstant: optional(struct({ units: arrayOf(count), roundoffs: nonNegative, precision: oneOf(['float32', 'float64'] as const), absD: nonNegative })),
  permutation: struct({
    count: count,
    exact: bool,
    seed: num,
    tail: oneOf(['two-sided', 'greater', 'less'] as const),
    prng: (value, path) => (value === undefined ? E.right('unknown') : str(value, path)),
  }),
  units: struct({
    t: column,
    d: column,
    meanDiff: arrayOf(num),
    sdDiff: (value, path) => (value === undefined ? E.right([]) : arrayOf(nonNegative)(value, path)),
    pPermutation: probabilities,
    pFwer: probabilities,
    qFdr: probabilities,
    // Where each unit comes from: present when the activations embedded their taps manifest.
    module: optional(arrayOf(str)),
    block: optional(arrayOf(str)),
    indexInBlock: optional(arrayOf(count)),
    channelStart: optional(arrayOf(count)),
    channelEnd: optional(arrayOf(count)),
  }),
  thresholds: arrayOf(
    struct({
      stat: oneOf(['t', 'd'] as const),
      value: num,
      observed: count,
      fraction: probability,
      nullP95: nonNegative,
      nullP99: nonNegative,
      ratioToNullP99: orNull(nonNegative),
      p: probability,
    }),
  ),
  maxAbsT: struct({ value: orNull(nonNegative), unit: nullable(count), group: nullable(str) }),
  splitHalf: nullable(
    struct({
      splits: count,
      median: orNull(correlation),
      q1: orNull(correlation),
      q3: orNull(correlation),
      spearmanBrownMedian: numOrNull,
      nullMedian: orNull(correlation),
    }),
  ),
  groups: arrayOf(
    struct({ name: str, units: count, maxAbsT: orNull(nonNegative), countAbsTOver3: count, medianAbsD: orNull(nonNegative) }),
  ),
}) as Check<ProbeResults>;

function consistency(results: ProbeResults): E.Either<Problems, ProbeResults> {
  const problems: string[] = [];
  for (const [name, values] of Object.entries(results.units) as [string, readonly unknown[] | undefined][]) {
    if (values === undefined || (name === 'sdDiff' && values.length === 0)) continue;
    if (values.length !== results.nUnits) problems.push(`units.${name} has ${values.length} entries but nUnits is ${results.nUnits}`);
  }
  const nearConstant = results.nearConstant?.units ?? [];
  if (nearConstant.some((u, i) => u >= results.nUnits || (i > 0 && u <= (nearConstant[i - 1] ?? -1)))) {
    problems.push(`nearConstant.units must be ascending unit indices below nUnits (${results.nUnits})`);
  }
  const grouped = results.groups.reduce((sum, group) => sum + group.units, 0);
  if (results.groups.length > 0 && grouped !== results.nUnits) {
    problems.push(`groups cover ${grouped} units but nUnits is ${results.nUnits}`);
  }
  return A.isNonEmpty(problems) ? E.left(problems) : E.right(results);
}
