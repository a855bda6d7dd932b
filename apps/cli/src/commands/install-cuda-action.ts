import { spawnSync } from 'node:child_process';
import { cudaProviderStatus } from '@moral-plantain/model-runtime';
import { CliError } from '../cli-error.js';

/** Runs `install-cuda`: the installer script of the ONNX Runtime package, its progress shown as it goes, its failure as one error. */
export function installCudaAction(options: { force?: boolean }): void {
  const run = spawnSync(process.execPath, [cudaProviderStatus().installScript, ...(options.force ? ['--force'] : [])], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (run.status === 0) return;
  const [first = 'the CUDA provider installer failed', ...rest] = (run.stderr ?? '').split('\n').filter((l) => l.trim() !== '');
  throw new CliError(first.replace(/^error:\s*/, ''), rest.join(' ') || undefined, run.status ?? 1);
}
