import { CliError } from './cli-error.js';

/** Parses a command-line integer in [min, max], or throws a CliError naming the flag. */
export function parseIntegerOption(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}"`, `for example ${flag} ${min}`);
  }
  return value;
}
