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

/** Where a command's summary (what it did, for a person) goes. */
export interface SummaryTarget {
  /** `--quiet`: no summary at all. */
  readonly quiet?: boolean;
  /** Standard output carries data (`--out -`, `--json`): the summary goes to standard error so it does not mix in. */
  readonly stdoutCarriesData?: boolean;
}

/** Writes a summary line or lines: to standard output, to standard error when standard output carries data, nowhere with `--quiet`. */
export function printSummary(text: string, target: SummaryTarget): void {
  if (target.quiet) return;
  (target.stdoutCarriesData ? process.stderr : process.stdout).write(text);
}

/** A path as a person reads it: relative to the working folder when inside it, else as given. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' ? file : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
