import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { NonEmptyArray } from 'fp-ts/lib/NonEmptyArray.js';
import { createPrng, PRNG_NAME } from '@moral-plantain/formats';
import { unitDescriptives, ZERO_VARIANCE_ROUNDOFFS, type UnitDescriptives } from './descriptive.js';
import type { StatsError } from './errors.js';
import { benjaminiHochbergOfFractions } from './fdr.js';
import { DEFAULT_GROUP, summarizeGroups } from './group-summary.js';
import type { DenseMatrix } from './matrix.js';
import { NEAR_CONSTANT_ABS_D, NEAR_CONSTANT_ROUNDOFFS, findNearConstantUnits, type NearConstantUnits } from './near-constant.js';
import { MAX_EXACT_PAIRS, resolveOptions, UNIT_ROUNDOFF, type PairedTestOptions, type ResolvedOptions } from './options.js';
import { pairedDifferences, type PairedInput } from './paired-input.js';
import { orderStatisticQuantileSorted } from './quantile.js';
import { RESULTS_FORMAT, type MaxAbsT, type ProbeResults, type ThresholdResult } from './results.js';
import { allSignPatterns, randomSignPatterns, type SignPatterns } from './sign-patterns.js';
import { nullTSample } from './null-t-sample.js';
import { MAX_SCAN_CUTOFFS, scanSignFlips, scanSignFlipsSync, type SignFlipScan, type SignFlipScanInput } from './sign-flip-null.js';
import { splitHalfReliability } from './split-half.js';
import { scaleUnits, timesPowerOfTwo } from './unit-scaling.js';

/** Null distributions behind the results, for figures and further analysis. */
export interface NullDistributions {
  /** Per sign pattern: max |t| (two-sided), max t ('greater') or max -t ('less') over units. */
  readonly maxStat: Float64Array;
  /** Per threshold (in `results.thresholds` order): per sign pattern, the count beyond it. */
  readonly thresholdCounts: readonly Uint32Array[];
  /** Split-half r per split, and under sign-flipped labels. */
  readonly splitHalfR: Float64Array;
  readonly splitHalfNullR: Float64Array;
  /** t of every unit with non-zero variance under `nullTFlips` of the sign flips (flip after flip): the permutation null of t. */
  readonly nullT: Float64Array;
  readonly nullTFlips: number;
}

/** The results contract plus the null distributions it summarizes. */
export interface PairedTestOutput {
  readonly results: ProbeResults;
  readonly nulls: NullDistributions;
}

/** Relative tolerance for ties between a null maximum or count and the observed value. */
const TIE_RTOL = 1e-10;

/**
 * Paired statistics over many units: t, Cohen's d_z, sign-flip permutation p-values, FWER (max
 * statistic) and FDR corrections, threshold counts against their null, split-half reliability and
 * per-group summaries. The sign-flip scan runs on worker threads.
 */
export function pairedTest(
  input: PairedInput,
  options: PairedTestOptions = {},
): TE.TaskEither<NonEmptyArray<StatsError>, PairedTestOutput> {
  return async () => {
    const prepared = prepare(input, options);
    if (E.isLeft(prepared)) return prepared;
    const scans = await Promise.all(prepared.right.scanInputs.map(scanSignFlips));
    return E.right(finish(prepared.right, scans));
  };
}

/** `pairedTest` in the calling thread, synchronously. */
export function pairedTestSync(
  input: PairedInput,
  options: PairedTestOptions = {},
): E.Either<NonEmptyArray<StatsError>, PairedTestOutput> {
  return pipe(
    prepare(input, options),
    E.map((p) => finish(p, p.scanInputs.map(scanSignFlipsSync))),
  );
}

interface Prepared {
  readonly diff: DenseMatrix;
  readonly options: ResolvedOptions;
  readonly stats: UnitDescriptives;
  /** Units whose differences are the same in every pair to within rounding. */
  readonly nearConstant: NearConstantUnits;
  readonly patterns: SignPatterns;
  /** Units with a defined t (non-zero variance). */
  readonly active: Uint32Array;
  /** t cut-offs of the thresholds, in threshold order (|d| > c is |t| > c sqrt(n)). */
  readonly cutoffs: readonly number[];
  /** One scan per group of up to 3 cut-offs; the first also gives p-values and the max null. */
  readonly scanInputs: readonly SignFlipScanInput[];
}

function prepare(input: PairedInput, options: PairedTestOptions): E.Either<NonEmptyArray<StatsError>, Prepared> {
  const diffE = pairedDifferences(input);
  const optionsE = resolveOptions(options);
  const problems = [...(E.isLeft(diffE) ? diffE.left : []), ...(E.isLeft(optionsE) ? optionsE.left : [])];
  if (E.isRight(diffE) && E.isRight(optionsE)) problems.push(...crossChecks(diffE.right.diff, optionsE.right));
  if (problems.length > 0 || E.isLeft(diffE) || E.isLeft(optionsE)) {
    return E.left(problems as NonEmptyArray<StatsError>);
  }
  const { diff, magnitude, precision } = diffE.right;
  const opts = optionsE.right;
  const n = diff.rows;
  // From here on each unit's differences are scaled by a power of two (exact; t and d unchanged).
  const exponents = scaleUnits(diff);
  const roundoff = UNIT_ROUNDOFF[opts.precision ?? precision];
  const zeroSd = magnitude.map((x, u) => timesPowerOfTwo(ZERO_VARIANCE_ROUNDOFFS * roundoff * x, -exponents[u]!));
  const scaled = unitDescriptives(diff, zeroSd);
  const nearSd = magnitude.map((x, u) => timesPowerOfTwo(NEAR_CONSTANT_ROUNDOFFS * roundoff * x, -exponents[u]!));
  const nearConstant: NearConstantUnits = {
    units: findNearConstantUnits(scaled.sd, nearSd, scaled.d, scaled.zeroVariance),
    roundoffs: NEAR_CONSTANT_ROUNDOFFS,
    precision: opts.precision ?? precision,
    absD: NEAR_CONSTANT_ABS_D,
  };
  const stats = { ...scaled, mean: scaled.mean.map((x, u) => timesPowerOfTwo(x, exponents[u]!)), sd: scaled.sd.map((x, u) => timesPowerOfTwo(x, exponents[u]!)) };
  const exact = opts.exact === true || (opts.exact === 'auto' && n <= MAX_EXACT_PAIRS && 2 ** n <= opts.permutations);
  const patterns = exact ? allSignPatterns(n) : randomSignPatterns(n, opts.permutations, createPrng(opts.seed));
  const active = activeUnits(stats.zeroVariance);
  // A 'less' test is a 'greater' test on the negated differences.
  const scanDiff = opts.tail === 'less' ? { ...diff, data: diff.data.map((x) => -x) } : diff;
  const cutoffs = opts.thresholds.map((th) => (th.stat === 't' ? th.value : th.value * Math.sqrt(n)));
  const scanInputs: SignFlipScanInput[] = [];
  for (let k = 0; k === 0 || k < cutoffs.length; k += MAX_SCAN_CUTOFFS) {
    scanInputs.push({
      diff: scanDiff,
      units: active,
      patterns,
      direction: opts.tail === 'two-sided' ? 'two-sided' : 'greater',
      tCutoffs: cutoffs.slice(k, k + MAX_SCAN_CUTOFFS),
      workers: opts.workers,
    });
  }
  return E.right({ diff, options: opts, stats, nearConstant, patterns, active, cutoffs, scanInputs });
}

function crossChecks(diff: DenseMatrix, opts: ResolvedOptions): StatsError[] {
  const problems: StatsError[] = [];
  if (opts.groups !== undefined && opts.groups.length !== diff.cols) {
    problems.push({ _tag: 'GroupsLength', expected: diff.cols, actual: opts.groups.length });
  }
  if (opts.splits > 0 && diff.rows < 4) {
    problems.push({ _tag: 'TooFewPairs', purpose: 'split-half reliability (or set splits to 0)', required: 4, actual: diff.rows });
  }
  if (opts.exact === true && diff.rows > MAX_EXACT_PAIRS) {
    problems.push({ _tag: 'InvalidOption', option: 'exact', value: true, expected: `'auto' or false above ${MAX_EXACT_PAIRS} pairs` });
  }
  return problems;
}

function finish(p: Prepared, scans: readonly SignFlipScan[]): PairedTestOutput {
  const { stats, patterns, active, options } = p;
  const nUnits = p.diff.cols;
  const first = scans[0];
  const sampled = !patterns.exact;
  // A sign-flip p is a fraction of whole numbers: (b + 1) / (m + 1) sampled, b / 2^n exact.
  const pDenominator = sampled ? patterns.count + 1 : patterns.count;
  const pNumerator = (atLeast: number): number => (sampled ? atLeast + 1 : atLeast);
  const pValue = (atLeast: number): number => pNumerator(atLeast) / pDenominator;
  // Observed statistic in the scanned direction.
  const directed = (u: number): number =>
    options.tail === 'two-sided' ? Math.abs(stats.t[u]) : options.tail === 'greater' ? stats.t[u] : -stats.t[u];

  const pNumerators = new Float64Array(nUnits).fill(Number.NaN);
  active.forEach((u, j) => (pNumerators[u] = pNumerator(first.exceed[j])));
  const pPermutation = pNumerators.map((x) => x / pDenominator);
  const sortedMax = Float64Array.from(first.maxStat).sort();
  const pFwer = new Float64Array(nUnits).fill(Number.NaN);
  for (const u of active) {
    const stat = directed(u);
    pFwer[u] = pValue(sortedMax.length - lowerBound(sortedMax, stat - TIE_RTOL * Math.abs(stat)));
  }
  const qFdr = benjaminiHochbergOfFractions(pNumerators, pDenominator);

  const thresholdCounts = p.cutoffs.map((_, k) => scans[Math.floor(k / MAX_SCAN_CUTOFFS)].counts[k % MAX_SCAN_CUTOFFS]);
  const thresholds = options.thresholds.map((th, k): ThresholdResult => {
    const observed = observedCount(th.stat === 't' ? stats.t : stats.d, th.value, options.tail);
    const nullCounts = Float64Array.from(thresholdCounts[k]).sort();
    // Quantiles of a count are counts: the smallest null count with at least 95 % / 99 % of the null at or below it.
    const nullP99 = orderStatisticQuantileSorted(nullCounts, 0.99);
    return {
      stat: th.stat,
      value: th.value,
      observed,
      fraction: active.length > 0 ? observed / active.length : 0,
      nullP95: orderStatisticQuantileSorted(nullCounts, 0.95),
      nullP99,
      ratioToNullP99: nullP99 > 0 ? observed / nullP99 : null,
      p: pValue(nullCounts.length - lowerBound(nullCounts, observed)),
    };
  });

  const split = options.splits > 0 ? splitHalfReliability(p.diff, options.splits, (options.seed + 1) >>> 0) : null;
  const nullT = nullTSample(p.diff, active, patterns, (options.seed + 2) >>> 0);
  const results: ProbeResults = {
    format: RESULTS_FORMAT,
    nPairs: p.diff.rows,
    nUnits,
    zeroVarianceUnits: nUnits - active.length,
    nearConstant: p.nearConstant,
    permutation: { count: patterns.count, exact: patterns.exact, seed: options.seed, tail: options.tail, prng: PRNG_NAME },
    units: {
      t: nullable(stats.t),
      d: nullable(stats.d),
      meanDiff: Array.from(stats.mean),
      sdDiff: Array.from(stats.sd),
      pPermutation: nullable(pPermutation),
      pFwer: nullable(pFwer),
      qFdr: nullable(qFdr),
    },
    thresholds,
    maxAbsT: maxAbsT(stats.t, options.groups),
    splitHalf: split?.summary ?? null,
    groups: summarizeGroups(stats.t, stats.d, options.groups),
  };
  return {
    results,
    nulls: {
      maxStat: first.maxStat,
      thresholdCounts,
      splitHalfR: split?.r ?? new Float64Array(0),
      splitHalfNullR: split?.nullR ?? new Float64Array(0),
      nullT: nullT.values,
      nullTFlips: nullT.flips,
    },
  };
}

/** The units with non-zero variance, in order. */
function activeUnits(zeroVariance: Uint8Array): Uint32Array {
  let count = 0;
  for (const z of zeroVariance) count += 1 - z;
  const active = new Uint32Array(count);
  for (let u = 0, j = 0; u < zeroVariance.length; u++) if (zeroVariance[u] === 0) active[j++] = u;
  return active;
}

/** Units beyond a threshold in the test's direction: |x| > c, x > c ('greater') or x < -c ('less'). */
function observedCount(values: Float64Array, c: number, tail: string): number {
  let count = 0;
  for (const x of values) {
    if (Number.isNaN(x)) continue;
    if (tail === 'two-sided' ? Math.abs(x) > c : tail === 'greater' ? x > c : x < -c) count++;
  }
  return count;
}

function maxAbsT(t: Float64Array, groups: readonly string[] | undefined): MaxAbsT {
  let unit = -1;
  for (let u = 0; u < t.length; u++) if (!Number.isNaN(t[u]) && (unit < 0 || Math.abs(t[u]) > Math.abs(t[unit]))) unit = u;
  return unit < 0
    ? { value: null, unit: null, group: null }
    : { value: Math.abs(t[unit]), unit, group: groups?.[unit] ?? DEFAULT_GROUP };
}

/** First index whose value is >= x in an ascending array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nullable(values: Float64Array): (number | null)[] {
  return Array.from(values, (x) => (Number.isNaN(x) ? null : x));
}
