import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';

/** The flags of `tap`. */
export interface TapFlags {
  readonly out: string;
  readonly preset?: string;
  readonly select: string[];
  readonly unitWidth?: string;
  readonly channels?: string;
  readonly tokens?: string;
  readonly raw?: boolean;
  readonly ablation?: boolean;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** Registers `tap <model.onnx> --out <file.onnx>`: writes a tapped model and its taps manifest. */
export function registerTapCommand(program: Command, defaults: HelpDefaults | null): void {
  const tap = program
    .command('tap')
    .description('write a copy of an ONNX model with in-graph per-unit RMS taps on selected linear layers, and its taps manifest')
    .argument('<model>', 'the ONNX graph file (.onnx); external data files stay where they are and are never read (a file, not -: the tapped copy refers to them)')
    .requiredOption('--out <file>', 'the tapped model to write (a file, not -); the manifest goes to <file>.taps.json')
    .option('--preset <name>', 'a built-in selection: flux2 = every attention output projection of FLUX.2')
    .option('--select <glob>', 'module-path glob, * within a segment, ** across segments (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--unit-width <n>', 'channels per unit', defaults ? String(defaults.unitWidth) : undefined)
    .option('--channels <A:B>', 'tap only channels A..B-1 of each input (default: all)')
    .option('--tokens <A:B>', 'reduce only over tokens A..B-1 (default: all)')
    .option('--raw', 'also output each tapped input tensor whole, as float32 (for debugging small models)')
    .option('--ablation', 'add a per-unit scale input scale/<module> [units] multiplying each tapped input (feed ones for no change)')
    .option('--json', 'machine-readable output')
    .action(async (model: string, options: Omit<TapFlags, 'quiet'>, command: Command) => (await import('./tap-action.js')).tapAction(model, { ...options, quiet: isQuiet(command) }));
  withExamples(tap, [
    ['every attention output projection of FLUX.2, 16 channels per unit', 'moral-plantain tap transformer.onnx --out transformer.tapped.onnx --preset flux2'],
    ['your own layers by module path, attention channels only', "moral-plantain tap model.onnx --out tapped.onnx --select 'blocks.*.attn.out_proj' --unit-width 8 --channels 0:3072"],
  ]);
}
