import { sequenceS } from 'fp-ts/lib/Apply.js';
import * as A from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { pipe } from 'fp-ts/lib/function.js';

/** Problems found in one JSON value, each naming its path. */
export type Problems = NEA.NonEmptyArray<string>;

/** A check of one JSON value at a path: the typed value, or every problem found. */
export type Check<T> = (value: unknown, path: string) => E.Either<Problems, T>;

/** Applicative validation: independent checks report all their problems together. */
export const validation = E.getApplicativeValidation(NEA.getSemigroup<string>());

/** Runs a record of checks against the fields of an object and collects every problem. */
export function struct<T extends Record<string, unknown>>(checks: { [K in keyof T]: Check<T[K]> }): Check<T> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'must be an object');
    const record = value as Record<string, unknown>;
    const fields = {} as { [K in keyof T]: E.Either<Problems, T[K]> };
    for (const key of Object.keys(checks) as (keyof T & string)[]) fields[key] = checks[key](record[key], join(path, key));
    return sequenceS(validation)(fields as Record<string, E.Either<Problems, unknown>>) as E.Either<Problems, T>;
  };
}

/** One problem at a path. */
export function fail<T>(path: string, message: string): E.Either<Problems, T> {
  return E.left(NEA.of(`${path || 'value'} ${message}`));
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
    value.forEach((entry, i) =>
      pipe(
        item(entry, `${path}[${i}]`),
        E.match(
          (p) => {
            bad += 1;
            if (bad <= maxProblems) problems.push(...p);
          },
          (ok) => out.push(ok),
        ),
      ),
    );
    if (bad > maxProblems) problems.push(`${path} has ${bad - maxProblems} more bad entries`);
    return A.isNonEmpty(problems) ? E.left(problems) : E.right(out);
  };
}

/** A string-to-string record. */
export const stringRecord: Check<Readonly<Record<string, string>>> = (value, path) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'must be an object of strings');
  const bad = Object.entries(value).filter(([, v]) => typeof v !== 'string');
  return bad.length === 0
    ? E.right(value as Record<string, string>)
    : E.left(NEA.of(`${path} entries ${bad.map(([k]) => JSON.stringify(k)).join(', ')} must be strings`));
};

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
