import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { findLinearLayers, readModelFile } from '@moral-plantain/hooks';
import { textTable } from '../text-table.js';
import { hooksCliError } from './tap.js';

/** Registers `inspect <model.onnx>`: lists the linear layers a tap selector can name. */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('list the linear layers of an ONNX model that taps can select: module path, op, input width, node name')
    .argument('<model>', 'the ONNX graph file (.onnx); external data files are never read')
    .option('--json', 'machine-readable output')
    .action(async (model: string, options: { json?: boolean }) => {
      const result = await readModelFile(model)();
      if (E.isLeft(result)) throw hooksCliError(result.left);
      const layers = findLinearLayers(result.right.model);
      if (options.json) {
        const rows = layers.map((l) => ({ module: l.module, op: l.op, inputWidth: l.inputWidth ?? null, node: l.node, weight: l.weight, moduleSource: l.moduleSource }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (layers.length === 0) {
        process.stdout.write('no linear layers with weights (MatMul, Gemm, MatMulNBits) found\n');
        return;
      }
      process.stdout.write(textTable(['MODULE PATH', 'OP', 'INPUT WIDTH', 'NODE'], layers.map((l) => [l.module, l.op, l.inputWidth === undefined ? '?' : String(l.inputWidth), l.node])));
      process.stdout.write(`${layers.length} linear layers\n`);
    });
}

