import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import { withExamples } from '../help-text.js';

/** Registers `inspect <model.onnx>`: lists the linear layers a tap selector can name. */
export function registerInspectCommand(program: Command): void {
  const inspect = program
    .command('inspect')
    .description('list the linear layers of an ONNX model that taps can select: module path, op, input width, node name')
    .argument('<model>', 'the ONNX graph file (.onnx); external data files are never read; - reads the graph from standard input')
    .option('--json', 'machine-readable output')
    .action(async (model: string, options: { json?: boolean }, command: Command) => (await import('./inspect-action.js')).inspectAction(model, { ...options, quiet: isQuiet(command) }));
  withExamples(inspect, [
    ['the layers a --select glob can name', 'moral-plantain inspect flux2-klein-4b/transformer.onnx'],
    ['the attention output projections only, as JSON', "moral-plantain inspect transformer.onnx --json | jq '.[] | select(.module | endswith(\"to_out.0\"))'"],
  ]);
}
