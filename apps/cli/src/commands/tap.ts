import path from 'node:path';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { describeHooksError, tapModelFile, type HooksErrors, type IndexRange } from '@moral-plantain/hooks';
import { CliError } from '../cli-error.js';

interface TapCommandOptions {
  readonly out: string;
  readonly preset?: string;
  readonly select: string[];
  readonly unitWidth: string;
  readonly channels?: string;
  readonly tokens?: string;
  readonly raw?: boolean;
  readonly ablation?: boolean;
  readonly json?: boolean;
}

/** Registers `tap <model.onnx> --out <file.onnx>`: writes a tapped model and its taps manifest. */
export function registerTapCommand(program: Command): void {
  program
    .command('tap')
    .description('write a copy of an ONNX model with in-graph per-unit RMS taps on selected linear layers, and its taps manifest')
    .argument('<model>', 'the ONNX graph file (.onnx); external data files stay where they are and are never read')
    .requiredOption('--out <file>', 'the tapped model to write; the manifest goes to <file>.taps.json')
    .option('--preset <name>', 'a built-in selection: flux2 = every attention output projection of FLUX.2')
    .option('--select <glob>', 'module-path glob, * within a segment, ** across segments (repeatable)', collect, [])
    .option('--unit-width <n>', 'channels per unit', '16')
    .option('--channels <A:B>', 'tap only channels A..B-1 of each input (default: all)')
    .option('--tokens <A:B>', 'reduce only over tokens A..B-1 (default: all)')
    .option('--raw', 'also output each tapped input tensor whole, as float32 (for debugging small models)')
    .option('--ablation', 'add a per-unit scale input scale/<module> [units] multiplying each tapped input (feed ones for no change)')
    .option('--json', 'machine-readable output')
    .action(async (model: string, options: TapCommandOptions) => {
      if (options.preset === undefined && options.select.length === 0) {
        throw new CliError('Nothing to tap: no --preset and no --select was given.', 'Add --preset flux2 or one or more --select GLOB (see `moral-plantain inspect <model>` for module paths).');
      }
      if (path.resolve(options.out) === path.resolve(model)) {
        throw new CliError('--out names the input model itself.', 'Write the tapped model to another file, e.g. --out transformer.tapped.onnx.');
      }
      const result = await tapModelFile(model, options.out, {
        ...(options.preset !== undefined ? { preset: options.preset } : {}),
        select: options.select,
        unitWidth: parseCount('--unit-width', options.unitWidth),
        ...(options.channels !== undefined ? { channels: parseRange('--channels', options.channels) } : {}),
        ...(options.tokens !== undefined ? { tokens: parseRange('--tokens', options.tokens) } : {}),
        raw: options.raw === true,
        ablation: options.ablation === true,
      })();
      if (E.isLeft(result)) throw hooksCliError(result.left);
      const { manifest, modelPath, manifestPath } = result.right;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ model: modelPath, manifest: manifestPath, ...manifest }, null, 2)}\n`);
        return;
      }
      const groups = manifest.taps.map((t) => t.group);
      process.stdout.write(
        `wrote ${modelPath}\n  ${manifest.taps.length} taps, ${manifest.totalUnits} units of ${manifest.unitWidth} channels (${groups[0]} .. ${groups.at(-1)})\n  manifest ${manifestPath}\n`,
      );
    });
}

/** Turns the hooks library's problems into one CLI error: the first problem, then the others. */
export function hooksCliError(errors: HooksErrors): CliError {
  const [first, ...rest] = errors.map(describeHooksError);
  const more = rest.length > 0 ? `\n  ${rest.map((d) => d.message).join('\n  ')}` : '';
  return new CliError(`${first?.message ?? 'unknown problem'}${more}`, first?.hint);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseCount(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new CliError(`${option} must be a positive integer, not "${text}".`, `For example ${option} 16.`);
  return value;
}

function parseRange(option: string, text: string): IndexRange {
  const match = /^(\d+):(\d+)$/.exec(text);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || end <= start) throw new CliError(`${option} must be a range A:B of integers with A < B, not "${text}".`, `For example ${option} 0:3072.`);
  return { start, end };
}
