import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelManifest } from '@moral-plantain/formats';
import { buildModelFolder, describeModelBuildProblem, flux2Presets, flux2VaePresets, planModelBuild, qwen3Presets, textLayersFor } from '../../src/index.js';
import { writeTinyPipelineFolder } from './tiny-pipeline-folder.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pipeline-folder-'));
  dirs.push(dir);
  return dir;
}

describe('model build from a diffusers pipeline folder', () => {
  it('takes the transformer, text encoder, VAE, scheduler, is_distilled and tokenizer from the folder', async () => {
    const pipeline = path.join(await tempDir(), 'FLUX.2-klein-tiny');
    await writeTinyPipelineFolder(pipeline, { isDistilled: true });
    const out = path.join(await tempDir(), 'model');
    const plan = await planModelBuild({ out, from: pipeline, textLayers: [1, 2, 3], defaultTokenizerDir: '/packaged' });
    if (E.isLeft(plan)) throw new Error(plan.left.map((p) => describeModelBuildProblem(p).message).join('\n'));
    expect(plan.right).toMatchObject({ name: 'FLUX.2-klein-tiny', tiny: false, seeds: {}, tokenizerDir: path.join(pipeline, 'tokenizer') });
    expect(plan.right.sampler).toEqual({ isDistilled: true, scheduler: { num_train_timesteps: 1000, shift: 3, use_dynamic_shifting: true, time_shift_type: 'exponential', shift_terminal: null } });
    const built = await buildModelFolder(plan.right);
    if (E.isLeft(built)) throw new Error(built.left.map((p) => describeModelBuildProblem(p).message).join('\n'));
    expect((await readdir(out)).sort()).toEqual(['model.json', 'text_encoder.onnx', 'tokenizer.json', 'tokenizer_config.json', 'transformer.onnx', 'vae_decoder.onnx', 'vae_encoder.onnx']);
    const manifest = await readModelManifest(out);
    expect(E.isRight(manifest) && manifest.right?.vae).toEqual({ encoder: 'vae_encoder.onnx', decoder: 'vae_decoder.onnx', config: flux2VaePresets.tiny, weights: path.join(pipeline, 'vae') });
    expect(E.isRight(manifest) && manifest.right?.sampler?.isDistilled).toBe(true);
  });

  it('quantizes the checkpoint\'s transformer and text encoder with --quantize, and keeps the VAE in float', async () => {
    const pipeline = path.join(await tempDir(), 'FLUX.2-klein-tiny');
    await writeTinyPipelineFolder(pipeline, { isDistilled: false });
    const out = path.join(await tempDir(), 'int4');
    const plan = await planModelBuild({ out, from: pipeline, textLayers: [1, 2, 3], quantize: 'int4', quantizationBlockSize: 16, defaultTokenizerDir: null });
    if (E.isLeft(plan)) throw new Error(plan.left.map((p) => describeModelBuildProblem(p).message).join('\n'));
    const built = await buildModelFolder(plan.right);
    if (E.isLeft(built)) throw new Error(built.left.map((p) => describeModelBuildProblem(p).message).join('\n'));
    const { manifest } = built.right;
    expect(manifest.transformer).toMatchObject({ weights: path.join(pipeline, 'transformer'), quantization: { bits: 4, blockSize: 16, quantizedLinears: 32 } });
    expect(manifest.textEncoder).toMatchObject({ weights: path.join(pipeline, 'text_encoder'), quantization: { bits: 4, blockSize: 16, quantizedLinears: 21 } });
    expect(manifest.vae && 'quantization' in manifest.vae).toBe(false);
    for (const file of ['transformer.onnx', 'text_encoder.onnx']) expect((await readFile(path.join(out, file))).includes('MatMulNBits'), file).toBe(true);
    for (const file of ['vae_encoder.onnx', 'vae_decoder.onnx']) expect((await readFile(path.join(out, file))).includes('MatMulNBits'), file).toBe(false);
  });

  it('names what is wrong with a pipeline folder, a clashing option and an unsupported scheduler, all at once', async () => {
    const pipeline = await tempDir();
    await writeTinyPipelineFolder(pipeline, { isDistilled: false, scheduler: { use_dynamic_shifting: true, use_karras_sigmas: true, stochastic_sampling: true } });
    const plan = await planModelBuild({ out: 'x', from: pipeline, preset: 'tiny', textLayers: [1, 2, 3], defaultTokenizerDir: null });
    expect(E.isLeft(plan) && plan.left.map((p) => describeModelBuildProblem(p).message)).toEqual([
      '--from and --preset exclude each other.',
      `Cannot use ${path.join(pipeline, 'scheduler', 'scheduler_config.json')}: its use_karras_sigmas = true is not implemented (only false).`,
      `Cannot use ${path.join(pipeline, 'scheduler', 'scheduler_config.json')}: its stochastic_sampling = true is not implemented (only false).`,
    ]);
    const notPipeline = await planModelBuild({ out: 'x', from: await tempDir(), defaultTokenizerDir: null });
    expect(E.isLeft(notPipeline) && notPipeline.left.map((p) => describeModelBuildProblem(p).message)[0]).toMatch(/model_index\.json: there is no model_index\.json, so it is not a diffusers pipeline folder\.$/);
  });

  it("defaults a deep enough text encoder to klein's text layers 9, 18, 27, and asks a shallower one for --text-layers", async () => {
    const pipeline = path.join(await tempDir(), 'FLUX.2-klein-tiny');
    await writeTinyPipelineFolder(pipeline, { isDistilled: false });
    const messages = async (textLayers?: number[]) => {
      const plan = await planModelBuild({ out: 'x', from: pipeline, ...(textLayers ? { textLayers } : {}), defaultTokenizerDir: null });
      return E.isLeft(plan) ? plan.left.map(describeModelBuildProblem) : [];
    };
    // The tiny checkpoint's encoder has 3 layers; 3 x 32 = 96 = the tiny transformer's joint_attention_dim.
    expect(await messages()).toEqual([
      {
        message: "The text encoder has 3 decoder layers (hidden states 0 to 3): too few for FLUX.2 klein's text layers 9, 18, 27, and a checkpoint does not record which hidden states its transformer was trained on.",
        hint: "Name them with --text-layers (layers x hidden size must equal the transformer's joint_attention_dim), e.g. --text-layers 1,2,3.",
      },
    ]);
    expect(await messages([1, 2, 4])).toEqual([
      { message: 'The text layers [1, 2, 4] ask for hidden states the text encoder does not have: it has 3 decoder layers (hidden states 0 to 3).', hint: 'Give --text-layers from 0 to 3, e.g. --text-layers 1,2,3.' },
    ]);
    expect(await messages([0, 2, 3])).toEqual([]);
    // A Qwen3-4B-deep encoder gets klein's layers without being asked.
    expect(textLayersFor({ ...qwen3Presets['qwen3-4b'].model }, undefined, 7680)).toEqual(E.right([9, 18, 27]));
    expect(textLayersFor({ ...qwen3Presets['qwen3-4b'].model, num_hidden_layers: 26 }, undefined, 7680)).toMatchObject({ left: { _tag: 'TextLayersNeeded', depth: 26, suggestion: [9, 17, 26] } });
  });

  it('refuses a VAE whose latent channels do not fit the transformer', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...flux2Presets.tiny, in_channels: 64 }));
    const plan = await planModelBuild({ out: 'x', config: path.join(dir, 'config.json'), textEncoder: null, vaePreset: 'tiny', defaultTokenizerDir: null });
    expect(E.isLeft(plan) && plan.left.map((p) => describeModelBuildProblem(p).message)).toEqual([
      "The VAE gives 128 channels per image token (4 x latent_channels) but the transformer's in_channels is 64.",
    ]);
  });
});
