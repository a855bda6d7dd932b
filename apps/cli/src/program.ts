import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commandRegistrations } from './commands/index.js';
import type { HelpDefaults } from './help-defaults.js';

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
  const program = new Command('moral-plantain')
    .description('Paired-prompt activation probes of diffusion transformers run through ONNX Runtime.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'show stack traces and extra detail on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const register of commandRegistrations) register(program, defaults);
  return program;
}

/** The CLI's package version (package.json sits one folder above both src/ and dist/). */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
