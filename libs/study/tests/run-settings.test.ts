import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { QUANTIZATION_NAMES } from '@moral-plantain/model-builder';
import { describeStudyError, givenBuildOptions, readRunConfig, resolveRunSettings, RUN_QUANTIZATIONS, runBuildChoices, sourcedModel } from '../src/index.js';

describe('run settings', () => {
  it('defaults to the embedded model, the built-in set and 1000 flips, with flags over the config file', () => {
    const defaults = resolveRunSettings({}, {});
    expect(defaults).toEqual(
      E.right({
        model: null,
        revision: null,
        textLayers: null,
        quantize: null,
        quantBlockSize: null,
        stimuli: 'moral-plantain',
        out: 'moral-plantain-out',
        device: 'cpu',
        seed: 0,
        resolution: null,
        batchSize: 1,
        permutations: 1000,
        splits: 100,
        unitWidth: 16,
        channels: null,
        reference: null,
        unitTokens: 'all',
        referenceSteps: null,
        resume: true,
        shard: null,
        json: false,
      }),
    );
    const merged = resolveRunSettings({ seed: 3, permutations: '50', resolution: '1024x768', channels: '0:3072' }, { seed: '4' });
    expect(E.isRight(merged) && merged.right).toMatchObject({ seed: 4, permutations: 50, resolution: [768, 1024], channels: { start: 0, end: 3072 } });
  });

  it('reads a shard as i/n and refuses one that is not', () => {
    const shard = resolveRunSettings({ shard: '2/4' }, {});
    expect(E.isRight(shard) && shard.right.shard).toEqual({ index: 2, count: 4 });
    expect(resolveRunSettings({}, { shard: '0/4' })).toEqual(E.left(['shard must be i/n with 1 <= i <= n <= 100000 (e.g. 2/4), got "0/4"']));
    expect(E.isLeft(resolveRunSettings({}, { shard: '5/4' }))).toBe(true);
  });

  it('names every bad setting at once, a yes/no word for a switch included', () => {
    const bad = resolveRunSettings({ resume: 'no', device: 'tpu' }, { seed: '-1', resolution: '100000', 'batchSize': '0' });
    expect(E.isLeft(bad) && bad.left).toEqual([
      'device must be cpu, cuda, webgpu or auto, got "tpu"',
      'seed must be a whole number from 0 to 4294967295, got "-1"',
      'resolution must be N or WxH in pixels, multiples of 16 from 16 to 4096 (e.g. 1024 or 1024x768), got "100000"',
      'batch-size must be a whole number from 1 to 1024, got "0"',
      'resume must be true or false, got "no"',
    ]);
    expect(E.isLeft(bad) && describeStudyError({ _tag: 'InvalidSettings', problems: bad.left }).message).toMatch(/^5 settings are invalid: device must be/);
  });

  it('reads a YAML config with kebab-case or camelCase keys and refuses unknown ones, naming them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-config-'));
    const good = path.join(dir, 'good.yaml');
    await writeFile(good, 'batch-size: 2\nunitWidth: 8\nresume: false\n');
    expect(await readRunConfig(good)()).toEqual(E.right({ batchSize: 2, unitWidth: 8, resume: false }));
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'permutaions: 10\n');
    const refused = await readRunConfig(bad)();
    expect(E.isLeft(refused) && describeStudyError(refused.left)).toEqual({ message: `The config file ${bad} has unknown settings: permutaions.`, hint: expect.stringContaining('Known settings: model, revision, text-layers, quantize, quant-block-size, stimuli, out') });
    const list = path.join(dir, 'list.yaml');
    await writeFile(list, '- 1\n');
    expect(E.isLeft(await readRunConfig(list)())).toBe(true);
  });

  it('takes text layers as a build option of a model to build, part of its cache key unless they are klein\'s own', async () => {
    const fromFile = resolveRunSettings({ model: 'org/name', 'textLayers': [1, 2, 3] }, {});
    expect(E.isRight(fromFile) && fromFile.right.textLayers).toEqual([1, 2, 3]);
    expect(E.isRight(fromFile) && runBuildChoices(fromFile.right)).toEqual({ textLayers: [1, 2, 3] });
    expect(runBuildChoices({ textLayers: [9, 18, 27], quantize: null, quantBlockSize: null })).toEqual({});
    expect(runBuildChoices({ textLayers: null, quantize: null, quantBlockSize: null })).toEqual({});
    expect(resolveRunSettings({}, { textLayers: '1,2' })).toEqual(E.left(['text-layers needs model: a diffusers pipeline folder or a Hugging Face repo id to build with them']));
    expect(resolveRunSettings({ model: 'm' }, { textLayers: '1,x' })).toEqual(E.left(['text-layers must be a comma-separated list of whole numbers (e.g. 9,18,27), got "1,x"']));
    // A model folder already built has its text layers: they cannot be chosen at run time.
    const folder = await mkdtemp(path.join(tmpdir(), 'mp-built-'));
    await writeFile(path.join(folder, 'model.json'), '{}');
    const refused = await sourcedModel(folder, null, { textLayers: [1, 2, 3], quantize: null, quantBlockSize: null }, { update: () => undefined, log: () => undefined, finish: () => undefined });
    expect(E.isLeft(refused) && describeStudyError(refused.left)).toEqual({
      message: '--text-layers and --model exclude each other.',
      hint: `--text-layers is a build option of a model built from a diffusers pipeline folder or a Hugging Face repo id; ${folder} is a model folder already built (rebuild it with \`moral-plantain model build\`).`,
    });
  });

  it('takes weight-only quantization as a build option of a model to build, part of its cache key', () => {
    const given = resolveRunSettings({ model: 'org/name' }, { quantize: 'int8', quantBlockSize: '64' });
    expect(E.isRight(given) && runBuildChoices(given.right)).toEqual({ quantize: 'int8', quantizationBlockSize: 64 });
    expect(E.isRight(given) && givenBuildOptions(given.right)).toEqual(['--quantize', '--quant-block-size']);
    // run offers exactly the quantizations the builder knows.
    expect([...RUN_QUANTIZATIONS].sort()).toEqual(Object.keys(QUANTIZATION_NAMES).sort());
    expect(resolveRunSettings({ model: 'm' }, { quantize: 'int2' })).toEqual(E.left(['quantize must be int8 or int4, got "int2"']));
    expect(resolveRunSettings({}, { quantize: 'int4' })).toEqual(E.left(['quantize needs model: a diffusers pipeline folder or a Hugging Face repo id to build quantized']));
    expect(resolveRunSettings({ model: 'm' }, { quantBlockSize: '128' })).toEqual(E.left(['quant-block-size needs quantize (int8 or int4)']));
  });
});
