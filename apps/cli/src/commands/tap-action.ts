import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describeHooksError, tapModelFile } from '@moral-plantain/hooks';
import { CliError } from '../cli-error.js';
import { rangeFlag, wholeNumberFlag } from '../option-values.js';
import { printJson, printSummary } from '../print.js';
import { STDIO_PATH } from '../standard-input.js';
import type { TapFlags } from './tap.js';

/** Runs `tap`: the tapped copy of a model and its taps manifest. */
export async function tapAction(model: string, flags: TapFlags): Promise<void> {
  if (model === STDIO_PATH || flags.out === STDIO_PATH) {
    throw new CliError(
      '`tap` reads and writes files, not standard input or output: the tapped copy refers to the external data files beside the model, and its manifest is written beside the copy.',
      'Give the model file and an --out file, e.g. `moral-plantain tap transformer.onnx --out transformer.tapped.onnx --preset flux2`.',
    );
  }
  if (flags.preset === undefined && flags.select.length === 0) {
    throw new CliError('Nothing to tap: no --preset and no --select was given.', 'Add --preset flux2 or one or more --select GLOB (see `moral-plantain inspect <model>` for module paths).');
  }
  if (path.resolve(flags.out) === path.resolve(model)) {
    throw new CliError('--out names the input model itself.', 'Write the tapped model to another file, e.g. --out transformer.tapped.onnx.');
  }
  const result = await tapModelFile(model, flags.out, {
    ...(flags.preset !== undefined ? { preset: flags.preset } : {}),
    select: flags.select,
    ...(flags.unitWidth !== undefined ? { unitWidth: wholeNumberFlag('--unit-width', flags.unitWidth, 1, 1 << 20) } : {}),
    ...(flags.channels !== undefined ? { channels: rangeFlag('--channels', flags.channels) } : {}),
    ...(flags.tokens !== undefined ? { tokens: rangeFlag('--tokens', flags.tokens) } : {}),
    raw: flags.raw === true,
    ablation: flags.ablation === true,
  })();
  if (E.isLeft(result)) throw CliError.from(result.left.map(describeHooksError));
  const { manifest, modelPath, manifestPath } = result.right;
  if (flags.json) return printJson({ model: modelPath, manifest: manifestPath, ...manifest });
  const groups = manifest.taps.map((t) => t.group);
  printSummary(`wrote ${modelPath}\n  ${manifest.taps.length} taps, ${manifest.totalUnits} units of ${manifest.unitWidth} channels (${groups[0]} .. ${groups.at(-1)})\n  manifest ${manifestPath}\n`, flags);
}
