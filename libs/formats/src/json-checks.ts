import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';

// Only Either is loaded at run time: commands that read JSON start faster without fp-ts's larger modules.

/** Problems found in one JSON value, each naming its path. */
export type Problems = NEA.NonEmptyArray<string>;

/** A check of one JSON value at a path: the typed value, or every problem found. */
export type Check<T> = (value: unknown, path: string) => E.Either<Problems, T>;

/** Runs a record of checks against the fields of an object and collects every problem (applicative validation). */
export function struct<T extends Record<string, unknown>>(checks: { [K in keyof T]: Check<T[K]> }): Check<T> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'must be an object');
    const record = value as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const key of Object.keys(checks) as (keyof T & string)[]) {
      const checked = checks[key](record[key], join(path, key));
      if (E.isLeft(checked)) problems.push(...checked.left);
      else fields[key] = checked.right;
    }
    return nonEmpty(problems) ? E.left(problems) : E.right(fields as T);
  };
}

/** One problem at a path. */
export function fail<T>(path: string, message: string): E.Either<Problems, T> {
  return E.left([`${path || 'value'} ${message}`]);
}

/** A finite number. */
export const num: Check<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? E.right(value) : fail(path, 'must be a finite number');

/** A finite number or null. */
export const numOrNull: Check<number | null> = (value, path) => (value === null ? E.right(null) : num(value, path));

/** A non-negative integer. */
export const count: Check<number> = (value, path) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? E.right(value) : fail(path, 'must be a non-negative integer');

/** A string. */
export const str: Check<string> = (value, path) => (typeof value === 'string' ? E.right(value) : fail(path, 'must be a string'));

/** A boolean. */
export const bool: Check<boolean> = (value, path) => (typeof value === 'boolean' ? E.right(value) : fail(path, 'must be true or false'));

/** One of the listed string literals. */
export function oneOf<L extends string>(literals: readonly L[]): Check<L> {
  return (value, path) =>
    typeof value === 'string' && (literals as readonly string[]).includes(value)
      ? E.right(value as L)
      : fail(path, `must be one of ${literals.map((l) => JSON.stringify(l)).join(', ')}`);
}

/** A value that may be absent (undefined). */
export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? E.right(undefined) : check(value, path));
}

/** A value that may be null. */
export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? E.right(null) : check(value, path));
}

/** An array whose items all pass `item`; reports at most `maxProblems` bad items (default 5) to keep messages short. */
export function arrayOf<T>(item: Check<T>, maxProblems = 5): Check<readonly T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return fail(path, 'must be an array');
    const out: T[] = [];
    const problems: string[] = [];
    let bad = 0;
    value.forEach((entry, i) => {
      const checked = item(entry, `${path}[${i}]`);
      if (E.isRight(checked)) {
        out.push(checked.right);
        return;
      }
      bad += 1;
      if (bad <= maxProblems) problems.push(...checked.left);
    });
    if (bad > maxProblems) problems.push(`${path} has ${bad - maxProblems} more bad entries`);
    return nonEmpty(problems) ? E.left(problems) : E.right(out);
  };
}

/** A string-to-string record. */
export const stringRecord: Check<Readonly<Record<string, string>>> = (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'must be an object of strings');
  const bad = Object.entries(value).filter(([, v]) => typeof v !== 'string');
  return bad.length === 0
    ? E.right(value as Record<string, string>)
    : E.left([`${path} entries ${bad.map(([k]) => JSON.stringify(k)).join(', ')} must be strings`]);
};

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function nonEmpty(problems: string[]): problems is NEA.NonEmptyArray<string> {
  return problems.length > 0;
}
