import { CommanderError } from 'commander';
import { CliError, EXIT_INTERNAL, EXIT_USAGE } from './cli-error.js';
import { asksForHelp, loadHelpDefaults } from './help-defaults.js';
import { buildProgram } from './program.js';

/** Runs the moral-plantain command line with the given arguments and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // A reader that stops early (`moral-plantain inspect model.onnx | head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };
  const program = buildProgram(io, asksForHelp(argv) ? await loadHelpDefaults() : null);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return await reportError(error, argv.includes('--verbose'), io.stderr);
  }
}

async function reportError(error: unknown, verbose: boolean, stderr: (s: string) => void): Promise<number> {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help text, for --help and --version).
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof CliError) {
    stderr(`error: ${error.message}\n`);
    if (error.hint) stderr(`  ${error.hint}\n`);
    if (verbose && error.stack) stderr(`${error.stack}\n`);
    return error.exitCode;
  }
  // A file operation the operating system refused, wherever it happened: say which and why.
  if (typeof (error as NodeJS.ErrnoException | null)?.code === 'string') {
    const { describeFileSystemError, isFileSystemError } = await import('@moral-plantain/formats');
    if (isFileSystemError(error)) return reportError(CliError.from(describeFileSystemError(error)), verbose, stderr);
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr(`error: unexpected failure: ${message}\n`);
  stderr(verbose && error instanceof Error && error.stack ? `${error.stack}\n` : '  run again with --verbose for the stack trace\n');
  return EXIT_INTERNAL;
}
