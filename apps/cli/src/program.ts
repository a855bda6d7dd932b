import { Command } from 'commander';
import { cliPackage } from './cli-package.js';
import { commandRegistrations } from './commands/index.js';
import type { HelpDefaults } from './help-defaults.js';
import { withDocsLink, withExamples } from './help-text.js';

/** Output streams of the program (injectable for tests). */
export interface ProgramIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/**
 * Builds the `moral-plantain` command tree. Registering the commands loads no library: each
 * command's action module is imported when that command runs. `defaults` (null unless help was
 * asked for) fills in the defaults help shows.
 */
export function buildProgram(io: ProgramIo, defaults: HelpDefaults | null = null): Command {
  const { version, docsUrl } = cliPackage();
  const program = new Command('moral-plantain')
    .description('Paired-prompt activation probes of diffusion transformers run through ONNX Runtime.')
    .version(version, '-V, --version', 'print the version')
    .option('-q, --quiet', 'no progress and no summaries: only data (tables, JSON) and errors are printed; exit codes are unchanged')
    .option('--verbose', 'show stack traces and extra detail on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const register of commandRegistrations) register(program, defaults);
  withExamples(program, [
    ['the whole probe on the embedded tiny model, into ./moral-plantain-out/', 'moral-plantain run'],
    ['statistics of your own activations, then the report', 'moral-plantain stats my-activations.safetensors --out results.json && moral-plantain report results.json'],
    ['which devices and GPU libraries this machine has', 'moral-plantain env'],
  ]);
  return withDocsLink(program, docsUrl);
}

/** The CLI's package version. */
export function cliVersion(): string {
  return cliPackage().version;
}
