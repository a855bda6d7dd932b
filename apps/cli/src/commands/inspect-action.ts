import * as E from 'fp-ts/lib/Either.js';
import { describeHooksError, findLinearLayers, readModelFile } from '@moral-plantain/hooks';
import { CliError } from '../cli-error.js';
import { print, printJson } from '../print.js';
import { textTable } from '../text-table.js';

/** Runs `inspect`: the linear layers of a model, as a table or JSON. */
export async function inspectAction(model: string, options: { json?: boolean }): Promise<void> {
  const result = await readModelFile(model)();
  if (E.isLeft(result)) throw CliError.from(result.left.map(describeHooksError));
  const layers = findLinearLayers(result.right.model);
  if (options.json) return printJson(layers.map((l) => ({ module: l.module, op: l.op, inputWidth: l.inputWidth ?? null, node: l.node, weight: l.weight, moduleSource: l.moduleSource })));
  if (layers.length === 0) return print('no linear layers with weights (MatMul, Gemm, MatMulNBits) found\n');
  print(textTable(['MODULE PATH', 'OP', 'INPUT WIDTH', 'NODE'], layers.map((l) => [l.module, l.op, l.inputWidth === undefined ? '?' : String(l.inputWidth), l.node])));
  print(`${layers.length} linear layers\n`);
}
