import * as E from 'fp-ts/lib/Either.js';
import { quantizationName, SEED_MAX, type WeightQuantization } from '@moral-plantain/formats';
import { buildModelFolder, describeModelBuildProblem, looksLikeHubRepoId, planModelBuild, resolveHubSnapshot, withSnapshotIncomplete, type HubSnapshot } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, describeModelFolder, describeModelFolderError, openModelFolder, type ModelFolderInfo } from '@moral-plantain/model-runtime';
import { byteSize } from '../byte-size.js';
import { CliError } from '../cli-error.js';
import { wholeNumberFlag, wholeNumberListFlag } from '../option-values.js';
import { print, printJson, printSummary } from '../print.js';
import { refuseStdioFolder } from '../standard-input.js';
import type { BuildFlags, InfoFlags } from './model.js';

/** Runs `model build`: the build plan (every problem at once), then the folder. */
export async function buildAction(flags: BuildFlags): Promise<void> {
  refuseStdioFolder('model build', '--out', flags.out);
  const from = await pipelineOf(flags);
  const plan = await planModelBuild({
    out: flags.out,
    ...(flags.preset !== undefined ? { preset: flags.preset } : {}),
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.weights !== undefined ? { weights: flags.weights } : {}),
    ...(flags.random ? { random: true } : {}),
    ...(flags.seed !== undefined ? { seed: wholeNumberFlag('--seed', flags.seed, 0, SEED_MAX) } : {}),
    ...(typeof flags.textEncoder === 'string' ? { textEncoder: flags.textEncoder } : flags.textEncoder === false ? { textEncoder: null } : {}),
    ...(flags.textLayers !== undefined ? { textLayers: wholeNumberListFlag('--text-layers', flags.textLayers) } : {}),
    defaultTokenizerDir: defaultQwen3TokenizerDir(),
    ...(flags.externalData ? { externalData: true } : {}),
    ...(from !== undefined ? { from: from.dir } : {}),
    ...(typeof flags.vae === 'string' ? { vae: flags.vae } : flags.vae === false ? { vae: null } : {}),
    ...(flags.vaePreset !== undefined ? { vaePreset: flags.vaePreset } : {}),
    ...(flags.scheduler !== undefined ? { scheduler: flags.scheduler } : {}),
    ...(flags.distilled ? { distilled: true } : {}),
    ...(flags.baseModel !== undefined ? { baseModel: flags.baseModel } : from?.repoId !== undefined ? { baseModel: from.repoId } : {}),
    ...(flags.quantize !== undefined ? { quantize: flags.quantize } : {}),
    ...(flags.quantBlockSize !== undefined ? { quantizationBlockSize: wholeNumberFlag('--quant-block-size', flags.quantBlockSize, 1, 2 ** 30) } : {}),
    ...(flags.asymmetric ? { asymmetric: true } : {}),
  });
  if (E.isLeft(plan)) throw CliError.from((from?.snapshot ? withSnapshotIncomplete(plan.left, from.snapshot) : plan.left).map(describeModelBuildProblem));
  const built = await buildModelFolder(plan.right);
  if (E.isLeft(built)) throw CliError.from(built.left.map(describeModelBuildProblem));
  const { dir, files, manifest } = built.right;
  if (flags.json) return printJson({ dir, files, manifest });
  const quantized = (q: WeightQuantization | undefined) => (q ? `; ${quantizationText(q)}` : '');
  const sampler = manifest.sampler ? `${manifest.sampler.isDistilled ? 'distilled (no classifier-free guidance)' : 'base (classifier-free guidance)'}` : 'base';
  printSummary(
    `wrote ${dir}\n  ${files.join(', ')}\n  transformer: ${manifest.transformer.weights}${manifest.baseModel ? ` (${manifest.baseModel})` : ''}${quantized(manifest.transformer.quantization)}\n` +
      `  text encoder: ${manifest.textEncoder ? `${manifest.textEncoder.weights}${quantized(manifest.textEncoder.quantization)}` : 'none'}\n  vae: ${manifest.vae ? `${manifest.vae.weights}${manifest.transformer.quantization ? `; ${VAE_IN_FLOAT}` : ''}` : 'none'}\n  sampling: ${sampler}\n`,
    flags,
  );
}

/** The pipeline folder of `--from`: a folder as given, or a repo id's snapshot in the Hugging Face cache (its repo id then the default base model). */
async function pipelineOf(flags: BuildFlags): Promise<{ readonly dir: string; readonly repoId?: string; readonly snapshot?: HubSnapshot } | undefined> {
  if (flags.from === undefined) {
    if (flags.revision !== undefined) throw CliError.from([{ message: '--revision needs --from with a Hugging Face repo id.', hint: 'Give --from org/name --revision REV, or leave --revision out.' }]);
    return undefined;
  }
  if (!looksLikeHubRepoId(flags.from)) {
    if (flags.revision !== undefined) throw CliError.from([{ message: `--revision picks a snapshot of a Hugging Face repo id; ${flags.from} is a folder.`, hint: 'Leave --revision out, or give --from org/name.' }]);
    return { dir: flags.from };
  }
  const snapshot = await resolveHubSnapshot(flags.from, flags.revision);
  if (E.isLeft(snapshot)) throw CliError.from([describeModelBuildProblem(snapshot.left)]);
  if (!flags.quiet && !flags.json) process.stderr.write(`from ${snapshot.right.repoId} at ${snapshot.right.revision}: ${snapshot.right.dir}\n`);
  return { dir: snapshot.right.dir, repoId: snapshot.right.repoId, snapshot: snapshot.right };
}

/** Runs `model info`: what a model folder holds. */
export async function infoAction(dir: string, flags: InfoFlags): Promise<void> {
  const opened = await openModelFolder(dir)();
  if (E.isLeft(opened)) throw CliError.from(opened.left.map(describeModelFolderError));
  const info = await describeModelFolder(opened.right, { hash: flags.hash });
  if (flags.json) return printJson(info);
  print(formatInfo(info));
}

function formatInfo(info: ModelFolderInfo): string {
  const values = (list: ModelFolderInfo['transformer']['inputs']) => list.map((v) => `    ${v.name}: ${v.type} [${(v.shape ?? ['?']).map((d) => d ?? '?').join(', ')}]`).join('\n');
  const lines = [
    `${info.dir}`,
    `  ${info.kind === 'ours' ? 'built by moral-plantain' : 'community export'}: ${info.name}${info.tiny ? ' (tiny)' : ''}, probe resolution ${info.resolution.join(' x ')}`,
    `  transformer ${info.transformer.file} (${info.transformer.naming} input names)${info.weights.transformer ? `, weights: ${info.weights.transformer}` : ''}`,
    info.baseModel ? `  base model: ${info.baseModel}` : '',
    `   inputs:\n${values(info.transformer.inputs)}`,
    `   outputs:\n${values(info.transformer.outputs)}`,
    info.textEncoder ? `  text encoder ${info.textEncoder.file}${info.weights.textEncoder ? `, weights: ${info.weights.textEncoder}` : ''}\n   inputs:\n${values(info.textEncoder.inputs)}\n   outputs:\n${values(info.textEncoder.outputs)}` : '  no text encoder',
    info.vae
      ? `  vae ${info.vae.encoder.file} + ${info.vae.decoder.file}${info.vae.weights ? `, weights: ${info.vae.weights}` : ''}\n   encoder: image -> latents (patchified, normalised)\n${values(info.vae.encoder.inputs)}\n${values(info.vae.encoder.outputs)}\n   decoder: latents -> image\n${values(info.vae.decoder.inputs)}\n${values(info.vae.decoder.outputs)}`
      : '  no vae (cannot draw or encode images)',
    `  sampling: ${info.sampler.isDistilled ? 'distilled, no classifier-free guidance' : 'base, classifier-free guidance'}; scheduler ${JSON.stringify(info.sampler.scheduler)}`,
    info.promptEmbeddings ? `  prompt embeddings: ${info.promptEmbeddings}` : '',
    info.tokenizerDir ? `  tokenizer: ${info.tokenizerDir}` : '',
    info.quantization.transformer ? `  transformer weights: ${quantizationText(info.quantization.transformer)}` : '',
    info.quantization.textEncoder ? `  text encoder weights: ${quantizationText(info.quantization.textEncoder)}` : '',
    info.vae && (info.quantization.transformer || info.quantization.textEncoder) ? `  vae weights: ${VAE_IN_FLOAT}` : '',
    info.configs.transformer ? `  transformer config: ${JSON.stringify(info.configs.transformer)}` : '',
    info.configs.textEncoder ? `  text encoder config: ${JSON.stringify(info.configs.textEncoder)}` : '',
    info.vae?.config ? `  vae config: ${JSON.stringify(info.vae.config)}` : '',
    Object.keys(info.seeds).length ? `  seeds: ${Object.entries(info.seeds).map(([k, v]) => `${k} ${v}`).join(', ')}` : '',
    '  files:',
    ...info.files.map((f) => `    ${f.file}  ${byteSize(f.bytes)}${f.sha256 ? `  sha256 ${f.sha256}` : ''}`),
    ...info.taps.map((t) => `  tapped: ${t.manifest}: ${t.taps} taps, ${t.totalUnits} units of ${t.unitWidth} channels (${t.groups[0]} .. ${t.groups.at(-1)})`),
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

/** What a quantized build does with the VAE: nothing (its convolutions, and the attention in the encoder's and decoder's middle blocks, stay in float). */
const VAE_IN_FLOAT = 'float32 (--quantize leaves the VAE in float)';

/** One line on a graph's quantization: `int8 MatMulNBits, blocks of 128, symmetric: 100 linear layers (8 kept in float)`. */
function quantizationText(q: WeightQuantization): string {
  const kept = q.floatLinears.length > 0 ? ` (${q.floatLinears.length} kept in float: ${q.floatLinears.join(', ')})` : '';
  return `${quantizationName(q)} ${q.op}, blocks of ${q.blockSize}, ${q.symmetric ? 'symmetric' : 'asymmetric'}: ${q.quantizedLinears} linear layers${kept}`;
}
