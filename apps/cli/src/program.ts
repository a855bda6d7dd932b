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
    .option('--verbose', 'show stack traces and extra detail on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const register of commandRegistrations) register(program);
  return program;
}
