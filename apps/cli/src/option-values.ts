import * as E from 'fp-ts/lib/Either.js';
import { parseRange, parseWholeNumber, parseWholeNumberList, type TextRange } from '@moral-plantain/formats';
import { CliError } from './cli-error.js';

/** A flag's whole number in [min, max], or a CliError naming the flag (`--seed must be a whole number from 0 to ...`). */
export function wholeNumberFlag(flag: string, raw: string, min: number, max: number): number {
  return valueOf(flag, parseWholeNumber(raw, min, max), `for example ${flag} ${min}`);
}

/** A flag's range `A:B`, or a CliError naming the flag. */
export function rangeFlag(flag: string, raw: string): TextRange {
  return valueOf(flag, parseRange(raw), `for example ${flag} 0:3072`);
}

/** A flag's comma-separated whole numbers, or a CliError naming the flag. */
export function wholeNumberListFlag(flag: string, raw: string): number[] {
  return valueOf(flag, parseWholeNumberList(raw), `for example ${flag} 9,18,27`);
}

function valueOf<T>(flag: string, parsed: E.Either<string, T>, hint: string): T {
  if (E.isLeft(parsed)) throw new CliError(`${flag} ${parsed.left}`, hint);
  return parsed.right;
}
