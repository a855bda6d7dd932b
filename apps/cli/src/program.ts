import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** The CLI's package version, from its package.json found by name (from src/, dist/ or the bundle alike). */
export function cliVersion(): string {
  const file = createRequire(import.meta.url).resolve('@moral-plantain/cli/package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
