import * as E from 'fp-ts/lib/Either.js';
import { isResolution, MAX_RESOLUTION_SIDE, PIXELS_PER_TOKEN } from './model-manifest/folder-defaults.js';

/** A half-open range `[start, end)` of channel or token indices. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A whole number written as text (a command-line flag, a config value) in [min, max]; the reason
 * it is not one otherwise, e.g. `must be a whole number from 1 to 100000000, got "lots"`.
 */
export function parseWholeNumber(text: string, min: number, max: number): E.Either<string, number> {
  const value = Number(text);
  return /^\s*-?\d+\s*$/.test(text) && Number.isSafeInteger(value) && value >= min && value <= max
    ? E.right(value)
    : E.left(`must be a whole number from ${min} to ${max}, got "${text}"`);
}

/** A range written `A:B` (A inclusive, B exclusive, A < B); the reason it is not one otherwise. */
export function parseRange(text: string, example = '0:3072'): E.Either<string, TextRange> {
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  return match && start < end ? E.right({ start, end }) : E.left(`must be a range A:B of whole numbers with A < B (e.g. ${example}), got "${text}"`);
}

/**
 * An image size written `N` (square) or `WxH` in pixels, each a positive multiple of
 * `PIXELS_PER_TOKEN`; returned as [height, width]. The reason it is not one otherwise.
 */
export function parseResolution(text: string): E.Either<string, readonly [number, number]> {
  const match = /^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/.exec(text);
  const width = match ? Number(match[1]) : Number.NaN;
  const height = match?.[2] ? Number(match[2]) : width;
  return isResolution([height, width])
    ? E.right([height, width])
    : E.left(`must be N or WxH in pixels, multiples of ${PIXELS_PER_TOKEN} from ${PIXELS_PER_TOKEN} to ${MAX_RESOLUTION_SIDE} (e.g. 1024 or 1024x768), got "${text}"`);
}

/** A comma-separated list of whole numbers >= 0, e.g. `9,18,27`; the reason it is not one otherwise. */
export function parseWholeNumberList(text: string): E.Either<string, number[]> {
  const values = text.split(',').map((s) => s.trim());
  return values.length > 0 && values.every((v) => /^\d+$/.test(v)) ? E.right(values.map(Number)) : E.left(`must be a comma-separated list of whole numbers (e.g. 9,18,27), got "${text}"`);
}
