import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { FLUX2_SCHEDULER_CONFIG, isHubRepoId, modelKindOf, parseModelManifest, parseSchedulerConfig, readModelManifest, writeModelManifest, type ModelManifest } from '../src/index.js';

const manifest: ModelManifest = {
  format: 'moral-plantain/model@1',
  name: 'tiny',
  tiny: true,
  transformer: { file: 'transformer.onnx', config: { in_channels: 128 }, weights: 'seeded' },
  textEncoder: null,
  tokenizerFiles: ['tokenizer.json'],
  seeds: { transformer: 0 },
  resolution: [128, 128],
};

describe('model.json', () => {
  it('accepts a complete manifest and round-trips it through the folder', async () => {
    expect(parseModelManifest(manifest)).toEqual(E.right(manifest));
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-manifest-'));
    expect(await readModelManifest(dir)).toEqual(E.right(null));
    await writeModelManifest(dir, manifest);
    expect(await readModelManifest(dir)).toEqual(E.right(manifest));
  });

  it('names every problem of a bad manifest, and a file that is not JSON', async () => {
    const bad = parseModelManifest({ ...manifest, format: 'x', tiny: 'yes', tokenizerFiles: ['../escape'], resolution: [100, 128] });
    expect(E.isLeft(bad) && bad.left.map((p) => p.key)).toEqual(['format', 'tiny', 'tokenizerFiles', 'resolution']);
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-manifest-'));
    await writeFile(path.join(dir, 'model.json'), '{ nope');
    const read = await readModelManifest(dir);
    expect(E.isLeft(read) && read.left[0]!.reason).toMatch(/^is not JSON/);
  });

  it('keeps a recorded weight quantization and names every problem of a bad one', () => {
    const quantization = { op: 'MatMulNBits', bits: 4, blockSize: 128, symmetric: true, scaleType: 'float32', layers: ['transformer_blocks.*.attn.to_q'], quantizedLinears: 2, floatLinears: ['proj_out'] } as const;
    const quantized = { ...manifest, transformer: { ...manifest.transformer, quantization } };
    expect(parseModelManifest(quantized)).toEqual(E.right(quantized));
    const bad = parseModelManifest({ ...manifest, transformer: { ...manifest.transformer, quantization: { ...quantization, bits: 3, blockSize: 100, layers: 'all' } } });
    expect(E.isLeft(bad) && bad.left.map((p) => p.key)).toEqual(['transformer.quantization.bits', 'transformer.quantization.blockSize', 'transformer.quantization.layers']);
  });

  it('tells the tiny model, the random-init control and real weights apart', () => {
    expect(modelKindOf(manifest)).toBe('tiny-seeded');
    expect(modelKindOf({ ...manifest, tiny: false })).toBe('random-init-control');
    expect(modelKindOf({ ...manifest, tiny: false, seeds: {} })).toBe('pretrained');
    expect(modelKindOf(null)).toBe('pretrained');
  });

  it('keeps a VAE and the sampler settings, and names what is wrong with them', () => {
    const withImages: ModelManifest = {
      ...manifest,
      vae: { encoder: 'vae_encoder.onnx', decoder: 'vae_decoder.onnx', config: { latent_channels: 32 }, weights: 'seeded' },
      sampler: { scheduler: FLUX2_SCHEDULER_CONFIG, isDistilled: true },
    };
    expect(parseModelManifest(withImages)).toEqual(E.right(withImages));
    const bad = parseModelManifest({ ...withImages, vae: { encoder: '../x.onnx', decoder: 'd.onnx', config: {}, weights: 'w' }, sampler: { isDistilled: true, scheduler: { shift: -1 } } });
    expect(E.isLeft(bad) && bad.left).toEqual([
      { key: 'vae.encoder', reason: 'must be a file name inside the folder' },
      { key: 'sampler.scheduler', reason: 'shift must be a positive number, got -1' },
    ]);
  });
});

describe('scheduler_config.json', () => {
  it("takes diffusers' defaults for absent keys and refuses what is not implemented", () => {
    expect(parseSchedulerConfig({ _class_name: 'FlowMatchEulerDiscreteScheduler', shift: 3.0, use_dynamic_shifting: true, base_shift: 0.5, max_shift: 1.15 })).toEqual(E.right(FLUX2_SCHEDULER_CONFIG));
    expect(parseSchedulerConfig({})).toEqual(E.right({ num_train_timesteps: 1000, shift: 1, use_dynamic_shifting: false, time_shift_type: 'exponential', shift_terminal: null }));
    expect(parseSchedulerConfig({ _class_name: 'EulerDiscreteScheduler', invert_sigmas: true, time_shift_type: 'cubic', shift_terminal: 1.5 })).toEqual(
      E.left([
        '_class_name is "EulerDiscreteScheduler"; only FlowMatchEulerDiscreteScheduler is implemented',
        'time_shift_type must be "exponential" or "linear", got "cubic"',
        'shift_terminal must be below 1, got 1.5',
        'invert_sigmas = true is not implemented (only false)',
      ]),
    );
  });
});

describe('model.json of a checkpoint', () => {
  it('records the Hub repo id of a checkpoint transformer, and refuses one that is malformed or names a seeded random transformer', async () => {
    const checkpoint: ModelManifest = { ...manifest, tiny: false, seeds: {}, baseModel: 'black-forest-labs/FLUX.2-klein-base-4B' };
    expect(parseModelManifest(checkpoint)).toEqual(E.right(checkpoint));
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-manifest-'));
    await writeModelManifest(dir, checkpoint);
    expect(await readModelManifest(dir)).toEqual(E.right(checkpoint));
    const problems = (value: unknown) => {
      const parsed = parseModelManifest(value);
      return E.isLeft(parsed) ? parsed.left.map((p) => `${p.key} ${p.reason}`) : [];
    };
    expect(problems({ ...checkpoint, baseModel: 'FLUX.2-klein-base-4B' })).toEqual([expect.stringMatching(/^baseModel must be a Hugging Face repo id, org\/name/)]);
    expect(problems({ ...checkpoint, baseModel: 42 })).toHaveLength(1);
    expect(problems({ ...manifest, baseModel: 'black-forest-labs/FLUX.2-klein-base-4B' })).toEqual(['baseModel must be absent: the transformer has seeded random weights, which come from no checkpoint']);
    expect(problems({ ...checkpoint, seeds: { transformer: 0 } })).toHaveLength(1);
  });
});

describe('isHubRepoId', () => {
  it('accepts org/name ids as the Hub spells them', () => {
    for (const id of ['black-forest-labs/FLUX.2-klein-base-4B', 'Qwen/Qwen3-4B', 'a/b', 'user_1/model.v2', `${'o'.repeat(96)}/${'n'.repeat(96)}`]) expect(isHubRepoId(id), id).toBe(true);
  });

  it('refuses bare names, paths, URLs and the forms the Hub reserves', () => {
    const bad = ['FLUX.2-klein-base-4B', 'a/b/c', '/a/b', 'a/', '/b', 'https://huggingface.co/a/b', 'a b/c', 'org/-name', 'org/name-', 'org/.name', 'org/na--me', 'org/na..me', 'org/name.git', `o/${'n'.repeat(97)}`, 'ünï/code', ''];
    for (const id of bad) expect(isHubRepoId(id), id).toBe(false);
  });
});
