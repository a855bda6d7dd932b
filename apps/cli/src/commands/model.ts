import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import {
  buildModelFolder,
  checkpointWeights,
  describeBuildModelFolderError,
  describeFlux2ConfigProblem,
  describeModelFolder,
  describeModelFolderError,
  describeQwen3ConfigProblem,
  flux2Preset,
  flux2Presets,
  formatWeightError,
  openModelFolder,
  parseFlux2Config,
  parseQwen3ConfigJson,
  QWEN3_MAX_LENGTH,
  qwen3Presets,
  seededWeights,
  type Flux2Config,
  type ModelFolderInfo,
  type Qwen3TextEncoderConfig,
  type WeightSource,
} from '@moral-plantain/model-runtime';
import { CliError } from '../cli-error.js';

interface BuildOptions {
  readonly out: string;
  readonly preset?: string;
  readonly config?: string;
  readonly weights?: string;
  readonly random?: boolean;
  readonly seed: string;
  readonly textEncoder?: string | false;
  readonly textLayers?: string;
  readonly externalData?: boolean;
  readonly json?: boolean;
}

interface InfoOptions {
  readonly json?: boolean;
  readonly hash: boolean;
}

/** Registers `model build` and `model info`. */
export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('build and describe model folders (transformer.onnx, text_encoder.onnx, tokenizer files, model.json)');
  model
    .command('build')
    .description('build a model folder from a preset or a diffusers config.json, with seeded random weights or a checkpoint')
    .requiredOption('--out <dir>', 'the model folder to write')
    .option('--preset <name>', `transformer preset: ${Object.keys(flux2Presets()).join(', ')} (default tiny, unless --config)`)
    .option('--config <file>', "a diffusers Flux2Transformer2DModel config.json (instead of --preset; default: the checkpoint folder's config.json with --weights DIR)")
    .option('--weights <fileOrDir>', 'a diffusers checkpoint: a .safetensors file, or a folder with diffusion_pytorch_model*.safetensors (+ .index.json)')
    .option('--random', 'seeded random weights (the default when no --weights is given)')
    .option('--seed <n>', 'seed of the random weights', '0')
    .option('--text-encoder <dir>', 'a Hugging Face Qwen3 folder (config.json + model*.safetensors) for the text encoder (default: the preset, seeded)')
    .option('--no-text-encoder', 'no text encoder (prompt embeddings then come from prompt_embeds.safetensors)')
    .option('--text-layers <list>', 'hidden-state indices concatenated as the prompt embedding, e.g. 9,18,27 (default: the text preset\'s)')
    .option('--external-data', 'write the weights to transformer.onnx.data and text_encoder.onnx.data even when small')
    .option('--json', 'machine-readable output')
    .action(async (options: BuildOptions) => {
      const seed = parseSeed(options.seed);
      if (options.weights !== undefined && options.random) throw new CliError('--weights and --random exclude each other.', 'Give a checkpoint with --weights, or --random --seed N for seeded weights.');
      if (options.preset !== undefined && options.config !== undefined) throw new CliError('--preset and --config exclude each other.', 'Use --preset for a built-in config or --config for a diffusers config.json.');
      if (options.weights !== undefined && options.textEncoder === undefined) {
        throw new CliError('A checkpoint transformer needs its text encoder: --weights was given without --text-encoder.', 'Add --text-encoder DIR (the Hugging Face Qwen3 folder), or --no-text-encoder to give prompt embeddings from prompt_embeds.safetensors.');
      }
      const transformerConfig = readTransformerConfig(options);
      const transformerWeights = options.weights === undefined ? seededWeights({ seed }) : await readCheckpoint(options.weights);
      const tiny = options.config === undefined && (options.preset ?? 'tiny') === 'tiny' && options.weights === undefined;
      const textEncoder = options.textEncoder === false ? null : await readTextEncoder(options, tiny, seed);
      if (textEncoder) checkTextWidth(transformerConfig, textEncoder.config);
      const seeds: Record<string, number> = {};
      if (options.weights === undefined) seeds.transformer = seed;
      if (textEncoder && typeof options.textEncoder !== 'string') seeds.textEncoder = seed;
      const tokenizerDir = typeof options.textEncoder === 'string' && existsSync(path.join(options.textEncoder, 'tokenizer.json')) ? options.textEncoder : undefined;
      const built = await buildModelFolder({
        out: options.out,
        name: options.config !== undefined ? path.basename(path.dirname(path.resolve(options.config))) : (options.preset ?? (options.weights !== undefined ? path.basename(path.resolve(options.weights)) : 'tiny')),
        tiny,
        seeds,
        transformer: { config: transformerConfig, weights: transformerWeights },
        textEncoder,
        ...(tokenizerDir !== undefined ? { tokenizerDir } : {}),
        ...(options.externalData ? { externalData: true, textEncoderExternalData: true } : {}),
      });
      if (E.isLeft(built)) {
        const [first, ...rest] = describeBuildModelFolderError(built.left);
        throw new CliError(`${first ?? 'The model could not be built.'}${rest.length ? `\n  ${rest.join('\n  ')}` : ''}`, 'Check that the config matches the checkpoint (names and shapes as diffusers / Hugging Face write them).');
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ dir: built.right.dir, files: built.right.files, manifest: built.right.manifest }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`wrote ${built.right.dir}\n  ${built.right.files.join(', ')}\n  transformer: ${built.right.manifest.transformer.weights}\n  text encoder: ${built.right.manifest.textEncoder?.weights ?? 'none'}\n`);
    });
  model
    .command('info')
    .description('describe a model folder: configs, files with sizes and SHA-256, graph inputs and outputs, input naming, tapped graphs')
    .argument('<dir>', 'the model folder (ours, or a community ONNX export)')
    .option('--no-hash', 'skip the SHA-256 of every file (reading multi-GB data files takes a while)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, options: InfoOptions) => {
      const opened = await openModelFolder(dir)();
      if (E.isLeft(opened)) {
        const [first, ...rest] = opened.left.map(describeModelFolderError);
        throw new CliError(`${first?.message ?? 'Not a model folder.'}${rest.length ? `\n  ${rest.map((r) => r.message).join('\n  ')}` : ''}`, first?.hint);
      }
      const info = await describeModelFolder(opened.right, { hash: options.hash });
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
    });
}

function readTransformerConfig(options: BuildOptions): Flux2Config {
  const file = options.config ?? (options.weights !== undefined && existsSync(path.join(options.weights, 'config.json')) ? path.join(options.weights, 'config.json') : undefined);
  if (file === undefined) {
    const preset = flux2Preset(options.preset ?? 'tiny');
    if (E.isLeft(preset)) throw new CliError(`Unknown preset "${options.preset}".`, `Use one of: ${Object.keys(flux2Presets()).join(', ')}.`);
    return preset.right;
  }
  const parsed = parseFlux2Config(readJson(file), file);
  if (E.isLeft(parsed)) throw new CliError(`${file} is not a usable FLUX.2 config:\n  ${parsed.left.map(describeFlux2ConfigProblem).join('\n  ')}`, 'Give the config.json of a diffusers Flux2Transformer2DModel.');
  return parsed.right.config;
}

async function readTextEncoder(options: BuildOptions, tiny: boolean, seed: number): Promise<{ config: Qwen3TextEncoderConfig; weights: WeightSource }> {
  const layers = options.textLayers === undefined ? undefined : parseLayers(options.textLayers);
  if (typeof options.textEncoder !== 'string') {
    const preset = tiny ? qwen3Presets.tiny : qwen3Presets['qwen3-4b'];
    return { config: { ...preset, outputLayers: layers ?? preset.outputLayers }, weights: seededWeights({ seed }) };
  }
  const file = path.join(options.textEncoder, 'config.json');
  const parsed = parseQwen3ConfigJson(readJson(file));
  if (E.isLeft(parsed)) throw new CliError(`${file} is not a usable Qwen3 config:\n  ${parsed.left.map(describeQwen3ConfigProblem).join('\n  ')}`, 'Give a Hugging Face Qwen3 folder (config.json + model*.safetensors).');
  return { config: { model: parsed.right, outputLayers: layers ?? qwen3Presets['qwen3-4b'].outputLayers, maxLength: QWEN3_MAX_LENGTH }, weights: await readCheckpoint(options.textEncoder) };
}

function checkTextWidth(transformer: Flux2Config, text: Qwen3TextEncoderConfig): void {
  const width = text.outputLayers.length * text.model.hidden_size;
  if (width !== transformer.joint_attention_dim) {
    throw new CliError(
      `The text encoder gives ${text.outputLayers.length} x ${text.model.hidden_size} = ${width} channels but the transformer's joint_attention_dim is ${transformer.joint_attention_dim}.`,
      'Choose --text-layers so that layers x hidden size matches, or --no-text-encoder.',
    );
  }
}

async function readCheckpoint(fileOrDir: string): Promise<WeightSource> {
  const source = await checkpointWeights(fileOrDir);
  if (E.isLeft(source)) throw new CliError(`Cannot read the checkpoint ${fileOrDir}: ${formatWeightError(source.left)}.`, 'Give a .safetensors file or a folder of them (sharded ones with their .index.json).');
  return source.right;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, 'Check the path.');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON (${(error as Error).message}).`, 'Fix the file.');
  }
}

function parseSeed(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new CliError(`--seed must be a non-negative integer, not "${text}".`, 'For example --seed 0.');
  return value;
}

function parseLayers(text: string): number[] {
  const layers = text.split(',').map((s) => Number(s.trim()));
  if (layers.length === 0 || !layers.every((n) => Number.isInteger(n) && n >= 0)) throw new CliError(`--text-layers must be a comma-separated list of layer indices, not "${text}".`, 'For example --text-layers 9,18,27.');
  return layers;
}

function formatInfo(info: ModelFolderInfo): string {
  const size = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`);
  const values = (list: ModelFolderInfo['transformer']['inputs']) => list.map((v) => `    ${v.name}: ${v.type} [${(v.shape ?? ['?']).map((d) => d ?? '?').join(', ')}]`).join('\n');
  const lines = [
    `${info.dir}`,
    `  ${info.kind === 'ours' ? 'built by moral-plantain' : 'community export'}: ${info.name}${info.tiny ? ' (tiny)' : ''}, probe resolution ${info.resolution.join(' x ')}`,
    `  transformer ${info.transformer.file} (${info.transformer.naming} input names)${info.weights.transformer ? `, weights: ${info.weights.transformer}` : ''}`,
    `   inputs:\n${values(info.transformer.inputs)}`,
    `   outputs:\n${values(info.transformer.outputs)}`,
    info.textEncoder ? `  text encoder ${info.textEncoder.file}${info.weights.textEncoder ? `, weights: ${info.weights.textEncoder}` : ''}\n   inputs:\n${values(info.textEncoder.inputs)}\n   outputs:\n${values(info.textEncoder.outputs)}` : '  no text encoder',
    info.promptEmbeddings ? `  prompt embeddings: ${info.promptEmbeddings}` : '',
    info.tokenizerDir ? `  tokenizer: ${info.tokenizerDir}` : '',
    info.configs.transformer ? `  transformer config: ${JSON.stringify(info.configs.transformer)}` : '',
    info.configs.textEncoder ? `  text encoder config: ${JSON.stringify(info.configs.textEncoder)}` : '',
    Object.keys(info.seeds).length ? `  seeds: ${Object.entries(info.seeds).map(([k, v]) => `${k} ${v}`).join(', ')}` : '',
    '  files:',
    ...info.files.map((f) => `    ${f.file}  ${size(f.bytes)}${f.sha256 ? `  sha256 ${f.sha256}` : ''}`),
    ...info.taps.map((t) => `  tapped: ${t.manifest}: ${t.taps} taps, ${t.totalUnits} units of ${t.unitWidth} channels (${t.groups[0]} .. ${t.groups.at(-1)})`),
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}
