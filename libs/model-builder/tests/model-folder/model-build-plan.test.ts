import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, FLUX2_SCHEDULER_CONFIG } from '@moral-plantain/formats';
import { buildModelFolder, buildTinyModelFolder, describeModelBuildProblem, flux2Presets, flux2VaePresets, planModelBuild, qwen3ParameterPlan, qwen3Presets, seededTensor, seededWeights, type ModelBuildProblem } from '../../src/index.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'model-plan-'));
  dirs.push(dir);
  return dir;
}

const tags = (problems: readonly ModelBuildProblem[]) => problems.map((p) => p._tag);

describe('planModelBuild', () => {
  it('makes the tiny preset with seeded weights the tiny embedded model, seeding all three graphs', async () => {
    const plan = await planModelBuild({ out: 'x', defaultTokenizerDir: '/tok', seed: 7 });
    if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left));
    expect(plan.right).toMatchObject({ name: 'tiny', tiny: true, seeds: { transformer: 7, textEncoder: 7, vae: 7 }, tokenizerDir: '/tok' });
    expect(plan.right.transformer.config).toEqual(flux2Presets.tiny);
    expect(plan.right.textEncoder?.config).toEqual(qwen3Presets.tiny);
    expect(plan.right.vae?.config).toEqual(flux2VaePresets.tiny);
    expect(plan.right.sampler).toEqual({ scheduler: FLUX2_SCHEDULER_CONFIG, isDistilled: false });
    expect(plan.right.transformer.weights.description).toBe('seeded random (seed 7)');
  });

  it('gives a full-size preset the Qwen3-4B text encoder and is no tiny model', async () => {
    const plan = await planModelBuild({ out: 'x', preset: 'klein-4b', defaultTokenizerDir: null });
    if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left));
    expect(plan.right).toMatchObject({ name: 'klein-4b', tiny: false, seeds: { transformer: 0, textEncoder: 0 } });
    expect(plan.right.textEncoder?.config.outputLayers).toEqual([9, 18, 27]);
    expect(plan.right.vae).toBeNull();
    const withVae = await planModelBuild({ out: 'x', preset: 'klein-4b', vaePreset: 'klein', defaultTokenizerDir: null });
    expect(E.isRight(withVae) && withVae.right.vae?.config).toEqual(flux2VaePresets.klein);
  });

  it('returns every problem of a request at once', async () => {
    const dir = await tempDir();
    const plan = await planModelBuild({ out: 'x', preset: 'klein-2b', config: path.join(dir, 'absent.json'), weights: path.join(dir, 'absent'), random: true, seed: -1, textLayers: [], defaultTokenizerDir: null });
    expect(E.isLeft(plan) && tags(plan.left)).toEqual(['InvalidSeed', 'ConflictingOptions', 'ConflictingOptions', 'TextEncoderRequired', 'InvalidTextLayers', 'TransformerConfig', 'Checkpoint']);
    expect(E.isLeft(plan) && describeModelBuildProblem(plan.left[1]!).message).toBe('--weights and --random exclude each other.');
  });

  it('refuses text layers whose width does not match the transformer, naming both widths', async () => {
    const plan = await planModelBuild({ out: 'x', textLayers: [1, 2], defaultTokenizerDir: null });
    expect(E.isLeft(plan) && plan.left).toEqual([{ _tag: 'TextWidthMismatch', layers: 2, hidden: 32, jointAttentionDim: 96 }]);
    expect(E.isLeft(plan) && describeModelBuildProblem(plan.left[0]!).message).toBe("The text encoder gives 2 x 32 = 64 channels but the transformer's joint_attention_dim is 96.");
  });

  it("uses a text encoder folder's own tokenizer files when it has them, else the default ones", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...qwen3Presets.tiny.model, model_type: 'qwen3' }));
    const tensors = new Map(
      qwen3ParameterPlan(qwen3Presets.tiny).parameters.map((p) => [p.name, { dtype: 'F32' as const, shape: p.shape, bytes: new Uint8Array(seededTensor(1, p.name, p.shape, p.init).buffer) }]),
    );
    await writeFile(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors));
    const request = { out: 'x', textEncoder: dir, textLayers: [1, 2, 3], defaultTokenizerDir: '/packaged' };
    const withoutTokenizer = await planModelBuild(request);
    expect(E.isRight(withoutTokenizer) && withoutTokenizer.right).toMatchObject({ tokenizerDir: '/packaged', seeds: { transformer: 0 } });
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) await writeFile(path.join(dir, file), '{}');
    const withTokenizer = await planModelBuild(request);
    expect(E.isRight(withTokenizer) && withTokenizer.right.tokenizerDir).toBe(dir);
    expect(E.isRight(withTokenizer) && withTokenizer.right.textEncoder?.weights.description).toBe(dir);
  });

  it('records a base model only as a Hub repo id of checkpoint weights, and says why otherwise', async () => {
    const random = await planModelBuild({ out: 'x', preset: 'klein-4b', baseModel: 'black-forest-labs/FLUX.2-klein-base-4B', defaultTokenizerDir: null });
    expect(E.isLeft(random) && tags(random.left)).toEqual(['BaseModelWithoutCheckpoint']);
    expect(E.isLeft(random) && describeModelBuildProblem(random.left[0]!).hint).toBe('Give the checkpoint with --weights, or leave out --base-model (a random-init control has no base model).');
    const malformed = await planModelBuild({ out: 'x', baseModel: 'FLUX.2-klein-base-4B', defaultTokenizerDir: null });
    expect(E.isLeft(malformed) && malformed.left).toEqual([{ _tag: 'InvalidBaseModel', value: 'FLUX.2-klein-base-4B' }]);
    const out = path.join(await tempDir(), 'folder');
    const seeded = await buildModelFolder({ out, name: 'x', tiny: false, seeds: { transformer: 0 }, baseModel: 'acme/x', transformer: { config: flux2Presets.tiny, weights: seededWeights() }, textEncoder: null, tokenizerDir: null });
    expect(E.isLeft(seeded) && tags(seeded.left)).toEqual(['BaseModelWithoutCheckpoint']);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it("names a folder built from a diffusers pipeline's config after the pipeline, not its transformer folder", async () => {
    const root = await tempDir();
    const pipeline = path.join(root, 'FLUX.2-klein-base-4B', 'transformer');
    await mkdir(pipeline, { recursive: true });
    await writeFile(path.join(pipeline, 'config.json'), JSON.stringify({ _class_name: 'Flux2Transformer2DModel', ...flux2Presets.tiny }));
    const fromConfig = await planModelBuild({ out: 'x', config: path.join(pipeline, 'config.json'), random: true, defaultTokenizerDir: null, textEncoder: null });
    expect(E.isRight(fromConfig) && fromConfig.right.name).toBe('FLUX.2-klein-base-4B');
  });
});

describe('buildModelFolder', () => {
  it('checks the text width itself and writes nothing when it is wrong', async () => {
    const out = path.join(await tempDir(), 'folder');
    const built = await buildModelFolder({
      out,
      name: 'mismatch',
      tiny: true,
      seeds: {},
      transformer: { config: flux2Presets.tiny, weights: seededWeights() },
      textEncoder: { config: { ...qwen3Presets.tiny, outputLayers: [3] }, weights: seededWeights() },
      tokenizerDir: null,
    });
    expect(E.isLeft(built) && tags(built.left)).toEqual(['TextWidthMismatch']);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('builds the tiny model with its tokenizer files and model.json last, the same bytes for the same seed', async () => {
    const tokenizers = await tempDir();
    await writeFile(path.join(tokenizers, 'tokenizer.json'), '{"t":1}');
    await writeFile(path.join(tokenizers, 'tokenizer_config.json'), '{"c":1}');
    const [first, second] = [path.join(await tempDir(), 'a'), path.join(await tempDir(), 'b')];
    for (const out of [first, second]) {
      const built = await buildTinyModelFolder(out, tokenizers);
      if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
      expect(built.right.files).toEqual(['transformer.onnx', 'text_encoder.onnx', 'vae_encoder.onnx', 'vae_decoder.onnx', 'tokenizer.json', 'tokenizer_config.json', 'model.json']);
      expect(built.right.manifest).toMatchObject({
        name: 'tiny',
        tiny: true,
        resolution: [128, 128],
        tokenizerFiles: ['tokenizer.json', 'tokenizer_config.json'],
        vae: { encoder: 'vae_encoder.onnx', decoder: 'vae_decoder.onnx', config: flux2VaePresets.tiny, weights: 'seeded random (seed 0)' },
        sampler: { scheduler: FLUX2_SCHEDULER_CONFIG, isDistilled: false },
      });
    }
    for (const file of ['transformer.onnx', 'text_encoder.onnx', 'vae_encoder.onnx', 'vae_decoder.onnx', 'model.json']) {
      expect((await readFile(path.join(first, file))).equals(await readFile(path.join(second, file)))).toBe(true);
    }
  });

  it('plans a quantized build (int8 or int4, blocks of 128 by default) and names every bad quantization option', async () => {
    const plan = await planModelBuild({ out: 'x', quantize: 'int4', defaultTokenizerDir: null });
    expect(E.isRight(plan) && plan.right.quantization).toEqual({ bits: 4, blockSize: 128, symmetric: true });
    const asymmetric = await planModelBuild({ out: 'x', quantize: 'int8', quantizationBlockSize: 32, asymmetric: true, defaultTokenizerDir: null });
    expect(E.isRight(asymmetric) && asymmetric.right.quantization).toEqual({ bits: 8, blockSize: 32, symmetric: false });
    const float = await planModelBuild({ out: 'x', defaultTokenizerDir: null });
    expect(E.isRight(float) && float.right.quantization).toBeUndefined();
    const unknown = await planModelBuild({ out: 'x', quantize: 'int3', defaultTokenizerDir: null });
    expect(E.isLeft(unknown) && unknown.left).toEqual([{ _tag: 'UnknownQuantization', value: 'int3' }]);
    expect(E.isLeft(unknown) && describeModelBuildProblem(unknown.left[0]!)).toEqual({ message: 'There is no quantization "int3".', hint: 'Give --quantize int8 or --quantize int4.' });
    const badBlock = await planModelBuild({ out: 'x', quantize: 'int8', quantizationBlockSize: 100, defaultTokenizerDir: null });
    expect(E.isLeft(badBlock) && describeModelBuildProblem(badBlock.left[0]!).message).toBe('The quantization block size 100 is not one MatMulNBits takes.');
    const orphan = await planModelBuild({ out: 'x', quantizationBlockSize: 64, asymmetric: true, defaultTokenizerDir: null });
    expect(E.isLeft(orphan) && orphan.left.map((p) => p._tag === 'QuantizationOptionWithoutQuantize' && p.option)).toEqual(['--quant-block-size', '--asymmetric']);
  });

  it('builds a quantized folder whose model.json records both graphs\' quantization', async () => {
    const out = path.join(await tempDir(), 'int8');
    const plan = await planModelBuild({ out, quantize: 'int8', quantizationBlockSize: 16, defaultTokenizerDir: null });
    if (E.isLeft(plan)) throw new Error(JSON.stringify(plan.left));
    const built = await buildModelFolder(plan.right);
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const manifest = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(manifest.transformer.quantization).toMatchObject({ op: 'MatMulNBits', bits: 8, blockSize: 16, symmetric: true, scaleType: 'float32', quantizedLinears: 32 });
    expect(manifest.transformer.quantization.floatLinears).toContain('proj_out');
    expect(manifest.textEncoder.quantization).toMatchObject({ bits: 8, blockSize: 16, quantizedLinears: 21, floatLinears: [] });
    expect(built.right.manifest).toEqual(manifest);
  });

  it('replaces a model folder of its own in one step, refuses any other non-empty folder, and leaves no staging folder', async () => {
    const tokenizers = await tempDir();
    await writeFile(path.join(tokenizers, 'tokenizer.json'), '{"t":1}');
    await writeFile(path.join(tokenizers, 'tokenizer_config.json'), '{"c":1}');
    const root = await tempDir();
    const out = path.join(root, 'model');
    // What a build killed long ago left beside the folder (its process is gone).
    await mkdir(path.join(root, '.model.partial-999999999-0123456789ab'));
    expect(E.isRight(await buildTinyModelFolder(out, tokenizers))).toBe(true);
    await writeFile(path.join(out, 'stale.txt'), 'from before');
    expect(E.isRight(await buildTinyModelFolder(out, tokenizers))).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['model.json', 'text_encoder.onnx', 'tokenizer.json', 'tokenizer_config.json', 'transformer.onnx', 'vae_decoder.onnx', 'vae_encoder.onnx']);
    expect(await readdir(root)).toEqual(['model']);

    const foreign = path.join(root, 'notes');
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'thesis.tex'), 'mine');
    const refused = await buildTinyModelFolder(foreign, tokenizers);
    expect(E.isLeft(refused) && refused.left.map((p) => describeModelBuildProblem(p).message)).toEqual([`${foreign} already exists and is not a model folder moral-plantain built; it is left as it is.`]);
    expect(await readdir(foreign)).toEqual(['thesis.tex']);
  });
});
