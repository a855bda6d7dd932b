import type { ErrorDescription } from '@moral-plantain/formats';

/** Exit code for bad input or bad usage: the user can fix it. */
export const EXIT_USAGE = 2;
/** Exit code for an unexpected internal failure. */
export const EXIT_INTERNAL = 1;
/** Exit code of a run stopped by Ctrl-C or a kill signal (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** An expected failure: one clear sentence, what to do about it, and the exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }

  /** The error of a library's error description; several descriptions give the first, then the others' messages on their own lines. */
  static from(descriptions: ErrorDescription | readonly ErrorDescription[], exitCode: number = EXIT_USAGE): CliError {
    const [first, ...rest] = Array.isArray(descriptions) ? (descriptions as readonly ErrorDescription[]) : [descriptions as ErrorDescription];
    const more = rest.length > 0 ? `\n  ${rest.map((d) => d.message).join('\n  ')}` : '';
    return new CliError(`${first?.message ?? 'unknown problem'}${more}`, first?.hint, exitCode);
  }
}
