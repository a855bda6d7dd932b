import path from 'node:path';
import { jsonFileText } from '@moral-plantain/formats';

/** Writes text to standard output. */
export function print(text: string): void {
  process.stdout.write(text);
}

/** Writes a value as indented JSON to standard output. */
export function printJson(value: unknown): void {
  process.stdout.write(jsonFileText(value));
}

/** A path as a person reads it: relative to the working folder when inside it, else as given. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? file : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
