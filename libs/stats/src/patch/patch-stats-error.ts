import type { ErrorDescription } from '@moral-plantain/formats';
import { describeStatsError, type StatsError } from '../errors.js';

/** Why units cannot be selected for a patch, or its effects cannot be tested. */
export type PatchStatsError =
  | { readonly _tag: 'KExceedsUnits'; readonly k: number; readonly units: number }
  | { readonly _tag: 'InvalidK'; readonly k: number }
  | { readonly _tag: 'UnknownUnits'; readonly units: readonly number[]; readonly nUnits: number }
  | { readonly _tag: 'RepeatedUnits'; readonly units: readonly number[] }
  | { readonly _tag: 'NoUnitBelowFwer'; readonly alpha: number; readonly smallest: number | null }
  | { readonly _tag: 'InvalidAlpha'; readonly alpha: number }
  | { readonly _tag: 'GroupsLength'; readonly expected: number; readonly actual: number }
  | { readonly _tag: 'InvalidSets'; readonly sets: number }
  | { readonly _tag: 'EffectsShape'; readonly reason: string }
  | { readonly _tag: 'NonFiniteEffect'; readonly where: string }
  | { readonly _tag: 'Statistics'; readonly errors: readonly StatsError[] };

/** What is wrong with a unit selection or a patch test, and what to do. */
export function describePatchStatsError(error: PatchStatsError): ErrorDescription {
  switch (error._tag) {
    case 'KExceedsUnits':
      return { message: `k = ${error.k} is larger than the ${error.units} units with a defined t.`, hint: `Choose k from 1 to ${error.units}.` };
    case 'InvalidK':
      return { message: `k must be a whole number of at least 1, got ${error.k}.`, hint: 'Give k as a list of whole numbers, e.g. 10,30,100.' };
    case 'UnknownUnits':
      return {
        message: `Unit${error.units.length === 1 ? '' : 's'} ${error.units.join(', ')} ${error.units.length === 1 ? 'does' : 'do'} not exist: the run has ${error.nUnits} units, numbered 0 to ${error.nUnits - 1}.`,
        hint: 'Take unit numbers from the run\'s unit-statistics.csv.',
      };
    case 'RepeatedUnits':
      return { message: `Unit${error.units.length === 1 ? '' : 's'} ${error.units.join(', ')} ${error.units.length === 1 ? 'is' : 'are'} listed more than once.`, hint: 'List each unit once.' };
    case 'NoUnitBelowFwer':
      return {
        message: `No unit has a FWER p below ${error.alpha}${error.smallest === null ? '' : ` (the smallest is ${error.smallest})`}: there is nothing to patch.`,
        hint: 'Select the top units by |t| instead (k), or list units explicitly.',
      };
    case 'InvalidAlpha':
      return { message: `The FWER level must be a number between 0 and 1, got ${error.alpha}.`, hint: 'For example 0.05.' };
    case 'GroupsLength':
      return { message: `The groups give ${error.actual} labels for ${error.expected} units.`, hint: 'Give one group label per unit.' };
    case 'InvalidSets':
      return { message: `The number of random sets must be a whole number from 1 to 1,000,000, got ${error.sets}.`, hint: 'For example 200.' };
    case 'EffectsShape':
      return { message: `The patch effects do not fit together: ${error.reason}.`, hint: 'Give observed [pairs, directions] and null [sets, pairs x directions].' };
    case 'NonFiniteEffect':
      return { message: `A patch effect is not a finite number (${error.where}).`, hint: 'A pair whose two outputs are identical has no a-to-b change to reproduce; leave it out.' };
    case 'Statistics': {
      const [first] = error.errors.map(describeStatsError);
      return { message: error.errors.map((e) => describeStatsError(e).message).join(' '), hint: first?.hint ?? 'Check the inputs.' };
    }
  }
}
