import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { FLUX2_SCHEDULER_CONFIG, modelKindOf, parseModelManifest, parseSchedulerConfig, readModelManifest, writeModelManifest, type ModelManifest } from '../src/index.js';

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
