import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';

/** The flags of `env` (with the global `--quiet`). */
export interface EnvFlags {
  readonly json?: boolean;
  readonly probe: boolean;
  readonly timeout?: string;
  readonly quiet: boolean;
}

/** Registers `env`: what this machine offers a probe, as `huggingface-cli env` and `accelerate env` report it. */
export function registerEnvCommand(program: Command, defaults: HelpDefaults | null): void {
  const env = program
    .command('env')
    .description(
      'describe this machine for probes: versions, which execution providers load (cpu, cuda, webgpu), the CUDA and cuDNN libraries found or missing, Vulkan for WebGPU, the environment variables that matter',
    )
    .option('--json', 'machine-readable output')
    .option('--no-probe', 'do not try the execution providers (library checks only, no ONNX Runtime session)')
    .option('--timeout <seconds>', 'seconds each provider trial may take', defaults ? String(defaults.probeTimeoutSeconds) : undefined)
    .action(async (options: Omit<EnvFlags, 'quiet'>, command: Command) => (await import('./env-action.js')).envAction({ ...options, quiet: isQuiet(command) }));
  withExamples(env, [
    ['paste this into a bug report', 'moral-plantain env'],
    ['which CUDA and cuDNN libraries are missing, as JSON', "moral-plantain env --json | jq '.cuda.missing'"],
    ['after adding a pip-installed CUDA to the loader path', 'LD_LIBRARY_PATH=$VIRTUAL_ENV/lib/python3.12/site-packages/nvidia/cu13/lib moral-plantain env'],
  ]);
}
