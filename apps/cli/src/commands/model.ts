import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import type { HelpDefaults } from '../help-defaults.js';
import { withExamples } from '../help-text.js';
import { registerModelCacheCommand } from './model-cache.js';

/** The flags of `model build`. */
export interface BuildFlags {
  readonly out: string;
  readonly preset?: string;
  readonly config?: string;
  readonly weights?: string;
  readonly random?: boolean;
  readonly seed?: string;
  readonly textEncoder?: string | false;
  readonly textLayers?: string;
  readonly externalData?: boolean;
  readonly from?: string;
  readonly revision?: string;
  readonly vae?: string | false;
  readonly vaePreset?: string;
  readonly scheduler?: string;
  readonly distilled?: boolean;
  readonly baseModel?: string;
  readonly quantize?: string;
  readonly quantBlockSize?: string;
  readonly asymmetric?: boolean;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** The flags of `model info`. */
export interface InfoFlags {
  readonly json?: boolean;
  readonly hash: boolean;
}

/** Registers `model build`, `model info` and `model cache`. */
export function registerModelCommand(program: Command, defaults: HelpDefaults | null): void {
  const model = program.command('model').description('build and describe model folders (transformer.onnx, text_encoder.onnx, vae_encoder.onnx + vae_decoder.onnx, tokenizer files, model.json), and see and clean the model cache');
  const action = async () => import('./model-action.js');
  withExamples(model, [
    ['the tiny seeded model, then what it holds', 'moral-plantain model build --out tiny-model && moral-plantain model info tiny-model'],
    ['what the model cache holds (the folders `run --model <repo id>` built)', 'moral-plantain model cache'],
  ]);
  const build = model
    .command('build')
    .description('build a model folder from a preset or a diffusers config.json, with seeded random weights or a checkpoint')
    .requiredOption('--out <dir>', 'the model folder to write')
    .option('--preset <name>', `transformer preset${defaults ? `: ${defaults.transformerPresets.join(', ')}` : ''} (default tiny, unless --config)`)
    .option('--config <file>', "a diffusers Flux2Transformer2DModel config.json (instead of --preset; default: the checkpoint folder's config.json with --weights DIR)")
    .option('--weights <fileOrDir>', 'a diffusers checkpoint: a .safetensors file, or a folder with diffusion_pytorch_model*.safetensors (+ .index.json)')
    .option('--random', 'seeded random weights (the default when no --weights is given)')
    .option('--seed <n>', 'seed of the random weights', defaults ? String(defaults.weightSeed) : undefined)
    .option('--text-encoder <dir>', 'a Hugging Face Qwen3 folder (config.json + model*.safetensors) for the text encoder (default: the preset, seeded)')
    .option('--no-text-encoder', 'no text encoder (prompt embeddings then come from prompt_embeds.safetensors)')
    .option('--text-layers <list>', "hidden-state indices concatenated as the prompt embedding, e.g. 9,18,27 (default: the text preset's)")
    .option('--from <pipeline-dir|repo>', 'a diffusers FLUX.2 pipeline folder (model_index.json, transformer/, text_encoder/, vae/, scheduler/, tokenizer/), or a Hugging Face repo id whose snapshot is in the local Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub): every component, its scheduler and is_distilled')
    .option('--revision <rev>', 'with --from a repo id: the branch, tag or commit hash of the cached snapshot (default main)')
    .option('--vae <dir>', 'a diffusers AutoencoderKLFlux2 folder (config.json + diffusion_pytorch_model.safetensors), e.g. FLUX.2-klein-base-4B/vae (default: the tiny VAE for the tiny model, none otherwise)')
    .option('--no-vae', 'no VAE (the folder can probe, not draw or encode images)')
    .option('--vae-preset <name>', 'a VAE preset with seeded weights: klein, tiny')
    .option('--scheduler <fileOrDir>', "a scheduler_config.json (or the scheduler/ folder) to sample with (default: the pipeline folder's, else FLUX.2's)")
    .option('--distilled', 'the checkpoint is step-distilled: sample without classifier-free guidance (default: the pipeline folder\'s is_distilled)')
    .option('--base-model <org/name>', "the Hugging Face repo id of the --weights checkpoint, recorded in model.json and by runs as the card's base_model")
    .option('--external-data', 'write the weights to transformer.onnx.data and text_encoder.onnx.data even when small')
    .option('--quantize <int8|int4>', "weight-only quantization (MatMulNBits) of the transformer blocks' and the text encoder's linear layers, tensor by tensor as they are read")
    .option('--quant-block-size <n>', 'weights per quantization block along a layer\'s input, a power of two >= 16', defaults ? String(defaults.quantizationBlockSize) : undefined)
    .option('--asymmetric', 'a zero point per block (default: symmetric, no zero points, as ONNX Runtime\'s quantizer writes by default)')
    .option('--json', 'machine-readable output')
    .action(async (options: Omit<BuildFlags, 'quiet'>, command: Command) => (await action()).buildAction({ ...options, quiet: isQuiet(command) }));
  withExamples(build, [
    ['FLUX.2 [klein] 4B from its diffusers checkpoint, weights streamed to .onnx.data', 'moral-plantain model build --out flux2-klein-4b --weights FLUX.2-klein-base-4B/transformer --text-encoder FLUX.2-klein-base-4B/text_encoder'],
    ['the random-init control: the real architecture and text encoder, a seeded random transformer', 'moral-plantain model build --out klein-4b-random --preset klein-4b --random --seed 0 --text-encoder FLUX.2-klein-base-4B/text_encoder'],
    ['FLUX.2 [klein] 4B as `hf download black-forest-labs/FLUX.2-klein-base-4B` left it in the Hugging Face cache', 'moral-plantain model build --out flux2-klein-4b --from black-forest-labs/FLUX.2-klein-base-4B'],
    ['FLUX.2 [klein] 4B quantized to int8 (blocks of 128), the form community exports take', 'moral-plantain model build --out flux2-klein-4b-int8 --from black-forest-labs/FLUX.2-klein-base-4B --quantize int8'],
    ['a tiny model for trying the pipeline', 'moral-plantain model build --out tiny-model --preset tiny'],
  ]);
  const info = model
    .command('info')
    .description('describe a model folder: configs, files with sizes and SHA-256, graph inputs and outputs, input naming, tapped graphs')
    .argument('<dir>', 'the model folder (ours, or a community ONNX export)')
    .option('--no-hash', 'skip the SHA-256 of every file (reading multi-GB data files takes a while)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, options: InfoFlags) => (await action()).infoAction(dir, options));
  withExamples(info, [
    ['configs, inputs, outputs and tapped graphs, without hashing multi-GB files', 'moral-plantain model info flux2-klein-4b --no-hash'],
    ['the file hashes as JSON', "moral-plantain model info tiny-model --json | jq '.files'"],
  ]);
  registerModelCacheCommand(model);
}
