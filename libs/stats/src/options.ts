import { availableParallelism } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import { isSeed, SEED_RANGE } from '@moral-plantain/formats';
import type { StatsError } from './errors.js';
import type { Tail, ThresholdSpec } from './results.js';

/** Options of a paired test; every one has a default. */
export interface PairedTestOptions {
  /** Random sign flips when not exact. Default 1000. */
  readonly permutations?: number;
  /** Seed of the PRNG behind flips and splits. Default 0. */
  readonly seed?: number;
  /** Direction of the test. Default 'two-sided'. */
  readonly tail?: Tail;
  /** Counts compared with their null. Default |t| > 3, |t| > 5, |d| > 0.8. */
  readonly thresholds?: readonly ThresholdSpec[];
  /** 'auto' enumerates all 2^n sign patterns when 2^n <= permutations. Default 'auto'. */
  readonly exact?: 'auto' | boolean;
  /** Random half splits for split-half reliability; 0 skips it. Default 100. */
  readonly splits?: number;
  /** One label per unit (e.g. 'joint[3]'); default: one group 'all'. */
  readonly groups?: readonly string[];
  /** Worker threads for the sign-flip scan. Default: available cores, at most 8. */
  readonly workers?: number;
  /**
   * The precision the values were stored in, which sets how small a unit's spread may be before it
   * counts as zero variance. Default 'float32' for Float32Array data, else 'float64'; give it for
   * values decoded from a narrower type (float16, bfloat16) into wider arrays.
   */
  readonly precision?: Precision;
}

/** Storage precisions of input values: IEEE float64, float32, float16, and bfloat16 (8 significand bits). */
export type Precision = 'float64' | 'float32' | 'float16' | 'bfloat16';

/** Unit roundoff of each precision: half the gap between 1 and the next value. */
export const UNIT_ROUNDOFF: Readonly<Record<Precision, number>> = { float64: 2 ** -53, float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 };

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly permutations: number;
  readonly seed: number;
  readonly tail: Tail;
  readonly thresholds: readonly ThresholdSpec[];
  readonly exact: 'auto' | boolean;
  readonly splits: number;
  readonly groups: readonly string[] | undefined;
  readonly workers: number;
  /** The given precision, or undefined to take it from the data's type. */
  readonly precision: Precision | undefined;
}

/** The defaults of `permutations`, `seed`, `tail` and `splits`. */
export const PAIRED_TEST_DEFAULTS = { permutations: 1000, seed: 0, tail: 'two-sided', splits: 100 } as const;

/** The default thresholds of the probe: |t| > 3, |t| > 5, |d| > 0.8. */
export const DEFAULT_THRESHOLDS: readonly ThresholdSpec[] = [
  { stat: 't', value: 3 },
  { stat: 't', value: 5 },
  { stat: 'd', value: 0.8 },
];

/** Largest n for which all 2^n sign patterns may be enumerated on request. */
export const MAX_EXACT_PAIRS = 24;

/** Checks every option and fills in defaults; all problems are returned together. */
export function resolveOptions(options: PairedTestOptions): E.Either<StatsError[], ResolvedOptions> {
  const problems: StatsError[] = [];
  const bad = (option: string, value: unknown, expected: string): void => {
    problems.push({ _tag: 'InvalidOption', option, value, expected });
  };
  const permutations = options.permutations ?? PAIRED_TEST_DEFAULTS.permutations;
  if (!Number.isInteger(permutations) || permutations < 1 || permutations > 1e8) {
    bad('permutations', permutations, 'an integer from 1 to 100,000,000');
  }
  const seed = options.seed ?? PAIRED_TEST_DEFAULTS.seed;
  if (!isSeed(seed)) bad('seed', seed, SEED_RANGE);
  const tail = options.tail ?? PAIRED_TEST_DEFAULTS.tail;
  if (!['two-sided', 'greater', 'less'].includes(tail)) bad('tail', tail, "'two-sided', 'greater' or 'less'");
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  thresholds.forEach((th, i) => {
    if (th.stat !== 't' && th.stat !== 'd') bad(`thresholds[${i}].stat`, th.stat, "'t' or 'd'");
    if (!(Number.isFinite(th.value) && th.value > 0)) bad(`thresholds[${i}].value`, th.value, 'a positive number');
  });
  const exact = options.exact ?? 'auto';
  if (exact !== 'auto' && exact !== true && exact !== false) bad('exact', exact, "'auto', true or false");
  const splits = options.splits ?? PAIRED_TEST_DEFAULTS.splits;
  if (!Number.isInteger(splits) || splits < 0 || splits > 1e6) bad('splits', splits, 'an integer from 0 to 1,000,000');
  const workers = options.workers ?? Math.min(8, availableParallelism());
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) bad('workers', workers, 'an integer from 1 to 256');
  if (options.precision !== undefined && !(options.precision in UNIT_ROUNDOFF)) bad('precision', options.precision, "'float64', 'float32', 'float16' or 'bfloat16'");
  if (options.groups !== undefined && !options.groups.every((g) => typeof g === 'string')) {
    bad('groups', '(non-string label)', 'an array of strings');
  }
  return problems.length > 0
    ? E.left(problems)
    : E.right({ permutations, seed, tail, thresholds, exact, splits, groups: options.groups, workers, precision: options.precision });
}
