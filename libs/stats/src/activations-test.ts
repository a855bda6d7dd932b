import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { NonEmptyArray } from 'fp-ts/lib/NonEmptyArray.js';
import type { Activations } from '@moral-plantain/formats';
import type { StatsError } from './errors.js';
import type { PairedTestOptions } from './options.js';
import { pairedTest, type PairedTestOutput } from './paired-test.js';

/**
 * The paired test of an activations file's contents (`readActivations`): conditions a and b as
 * read, grouped by the file's unit groups when it names them, at the precision the file stores.
 */
export function testActivations(activations: Activations, options: Omit<PairedTestOptions, 'groups' | 'precision'> = {}): TE.TaskEither<NonEmptyArray<StatsError>, PairedTestOutput> {
  const precision = activations.dtype === 'F32' ? 'float32' : 'float64';
  return pairedTest({ a: activations.a, b: activations.b }, { precision, ...options, ...(activations.groups ? { groups: activations.groups } : {}) });
}
