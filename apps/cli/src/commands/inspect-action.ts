import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { describeHooksError, findLinearLayers, parseModelBytes, readModelFile } from '@moral-plantain/hooks';
import { CliError } from '../cli-error.js';
import { print, printJson, printSummary } from '../print.js';
import { readStandardInput, STDIO_PATH } from '../standard-input.js';
import { textTable } from '../text-table.js';

/** Runs `inspect`: the linear layers of a model (a file, or standard input for `-`), as a table or JSON. */
export async function inspectAction(model: string, options: { json?: boolean; quiet: boolean }): Promise<void> {
  const graph =
    model === STDIO_PATH
      ? parseModelBytes(await readStandardInput('an ONNX graph'), 'Standard input')
      : pipe(
          await readModelFile(model)(),
          E.map((loaded) => loaded.model),
        );
  if (E.isLeft(graph)) throw CliError.from(graph.left.map(describeHooksError));
  const layers = findLinearLayers(graph.right);
  if (options.json) return printJson(layers.map((l) => ({ module: l.module, op: l.op, inputWidth: l.inputWidth ?? null, node: l.node, weight: l.weight, moduleSource: l.moduleSource })));
  if (layers.length === 0) return print('no linear layers with weights (MatMul, Gemm, MatMulNBits) found\n');
  print(textTable(['MODULE PATH', 'OP', 'INPUT WIDTH', 'NODE'], layers.map((l) => [l.module, l.op, l.inputWidth === undefined ? '?' : String(l.inputWidth), l.node])));
  printSummary(`${layers.length} linear layers\n`, options);
}
