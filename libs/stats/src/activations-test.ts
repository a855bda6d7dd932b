import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { NonEmptyArray } from 'fp-ts/lib/NonEmptyArray.js';
import type { Activations } from '@moral-plantain/formats';
import type { StatsError } from './errors.js';
import type { PairedTestOptions } from './options.js';
import { pairedTest, type PairedTestOutput } from './paired-test.js';

/**
 * The paired test of an activations file's contents (`readActivations`): conditions a and b as
 * read, grouped by the file's unit groups when it names them.
 */
export function testActivations(activations: Activations, options: Omit<PairedTestOptions, 'groups'> = {}): TE.TaskEither<NonEmptyArray<StatsError>, PairedTestOutput> {
  return pairedTest({ a: activations.a, b: activations.b }, { ...options, ...(activations.groups ? { groups: activations.groups } : {}) });
}
