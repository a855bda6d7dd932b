import type { Command } from 'commander';

/** Registers `install-cuda`: downloads the CUDA execution provider's libraries, the one explicit step `--device cuda` needs. */
export function registerInstallCudaCommand(program: Command): void {
  program
    .command('install-cuda')
    .description("download the CUDA execution provider libraries of ONNX Runtime (Linux x64, from NuGet; never done at install time); they need CUDA 13.x and cuDNN 9")
    .option('--force', 'download them again when they are already installed')
    .action(async (options: { force?: boolean }) => (await import('./install-cuda-action.js')).installCudaAction(options));
}
