import type { ErrorDescription } from '@moral-plantain/formats';

/** Which input array a problem concerns. */
export type InputName = 'a' | 'b' | 'diff';

/** A problem with the input or options of a paired test; all of them are reported at once. */
export type StatsError =
  | { readonly _tag: 'InvalidShape'; readonly input: InputName; readonly shape: readonly number[] }
  | { readonly _tag: 'DataLength'; readonly input: InputName; readonly expected: number; readonly actual: number }
  | { readonly _tag: 'ShapeMismatch'; readonly a: readonly number[]; readonly b: readonly number[] }
  | { readonly _tag: 'TooFewPairs'; readonly purpose: string; readonly required: number; readonly actual: number }
  | {
      readonly _tag: 'NonFinite';
      readonly input: InputName;
      readonly count: number;
      /** The first few offending entries. */
      readonly examples: readonly { readonly pair: number; readonly unit: number; readonly value: number }[];
    }
  | { readonly _tag: 'InvalidOption'; readonly option: string; readonly value: unknown; readonly expected: string }
  | { readonly _tag: 'GroupsLength'; readonly expected: number; readonly actual: number };

/** What is wrong with the input or options of a paired test, and what to do. */
export function describeStatsError(error: StatsError): ErrorDescription {
  return { message: `${capitalize(statsErrorText(error))}.`, hint: statsErrorHint(error) };
}

function statsErrorText(error: StatsError): string {
  switch (error._tag) {
    case 'InvalidShape':
      return `${error.input} must be a 2-D array [pairs x units], got shape [${error.shape.join(', ')}]`;
    case 'DataLength':
      return `${error.input} has ${error.actual} values but its shape needs ${error.expected}`;
    case 'ShapeMismatch':
      return `a and b must have the same shape, got [${error.a.join(', ')}] and [${error.b.join(', ')}]`;
    case 'TooFewPairs':
      return `${error.purpose} needs at least ${error.required} pairs, got ${error.actual}`;
    case 'NonFinite': {
      const shown = error.examples.map((e) => `pair ${e.pair}, unit ${e.unit} (${e.value})`).join('; ');
      const more = error.count > error.examples.length ? `; ${error.count - error.examples.length} more` : '';
      return `${error.input} has ${error.count} non-finite value${error.count === 1 ? '' : 's'}: ${shown}${more}`;
    }
    case 'InvalidOption':
      return `option ${error.option} must be ${error.expected}, got ${JSON.stringify(error.value)}`;
    case 'GroupsLength':
      return `groups must give one label per unit: expected ${error.expected}, got ${error.actual}`;
  }
}

function statsErrorHint(error: StatsError): string {
  switch (error._tag) {
    case 'InvalidOption':
      return 'Fix the option and run again.';
    case 'TooFewPairs':
      return 'Add pairs, or turn split-half reliability off (splits 0) for fewer than 4.';
    case 'NonFinite':
      return 'Check the activations for NaN or infinite values at the positions named.';
    default:
      return 'Give a and b (or diff) as [pairs x units] arrays of the same shape.';
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
