/** Exit code for bad input or bad usage: the user can fix it. */
export const EXIT_USAGE = 2;
/** Exit code for an unexpected internal failure. */
export const EXIT_INTERNAL = 1;

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
}
