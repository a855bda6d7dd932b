import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { NonEmptyArray } from 'fp-ts/lib/NonEmptyArray.js';
import { unitOrigins, type Activations, type ActivationsDtype } from '@moral-plantain/formats';
import type { StatsError } from './errors.js';
import type { PairedTestOptions, Precision } from './options.js';
import { pairedTest, type PairedTestOutput } from './paired-test.js';

/** The precision each stored float type carries, which sets the zero-variance rule. */
const PRECISION_OF_DTYPE: Readonly<Record<ActivationsDtype, Precision>> = { F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/**
 * The paired test of an activations file's contents (`readActivations`): conditions a and b as
 * read, grouped by the file's unit groups when it names them, at the precision the file stores.
 * When the file embeds its taps manifest, the results' unit columns also say where each unit
 * comes from: `module`, `block`, `indexInBlock`, `channelStart`, `channelEnd`.
 */
export function testActivations(activations: Activations, options: Omit<PairedTestOptions, 'groups' | 'precision'> = {}): TE.TaskEither<NonEmptyArray<StatsError>, PairedTestOutput> {
  const precision = PRECISION_OF_DTYPE[activations.dtype];
  const test = pairedTest({ a: activations.a, b: activations.b }, { precision, ...options, ...(activations.groups ? { groups: activations.groups } : {}) });
  const taps = activations.taps;
  if (taps === null) return test;
  return async () => {
    const out = await test();
    if (E.isLeft(out)) return out;
    const { results } = out.right;
    return E.right({ ...out.right, results: { ...results, units: { ...results.units, ...unitOrigins(taps) } } });
  };
}
