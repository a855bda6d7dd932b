import type { Command } from 'commander';

/** Registers `inspect <model.onnx>`: lists the linear layers a tap selector can name. */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('list the linear layers of an ONNX model that taps can select: module path, op, input width, node name')
    .argument('<model>', 'the ONNX graph file (.onnx); external data files are never read')
    .option('--json', 'machine-readable output')
    .action(async (model: string, options: { json?: boolean }) => (await import('./inspect-action.js')).inspectAction(model, options));
}
