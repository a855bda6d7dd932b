import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commandRegistrations } from './commands/index.js';

/** Global options every command sees. */
export interface GlobalOptions {
  readonly verbose?: boolean;
}

/** Builds the `moral-plantain` command tree; output streams are injectable for tests. */
export function buildProgram(io: { stdout: (s: string) => void; stderr: (s: string) => void }): Command {
  const program = new Command('moral-plantain')
    .description('Paired-prompt activation probes of diffusion transformers run through ONNX Runtime.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'show stack traces and extra detail on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const register of commandRegistrations) register(program);
  return program;
}

/** The CLI's package version (package.json sits one folder above both src/ and dist/). */
function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
