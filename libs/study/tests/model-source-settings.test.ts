import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { resolveGenerateSettings, resolveModelSourceSettings, resolveRunSettings } from '../src/index.js';

describe('model-source settings (run and generate alike)', () => {
  it('parses the model, revision and build options from text or config values', () => {
    expect(resolveModelSourceSettings({ model: 'org/name', revision: ' v1 ', textLayers: [1, 2, 3], quantize: 'int4', quantBlockSize: '64' })).toEqual({
      settings: { model: 'org/name', revision: 'v1', textLayers: [1, 2, 3], quantize: 'int4', quantBlockSize: 64 },
      problems: [],
    });
  });

  it('names every bad value and every option that needs another, with the same words in run and generate', () => {
    const raw = { revision: 'main', textLayers: '1,x', quantize: 'int2', quantBlockSize: '8' };
    const problems = resolveModelSourceSettings(raw).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^text-layers /),
      'quantize must be int8 or int4, got "int2"',
      expect.stringMatching(/^quant-block-size must be a whole number from 16/),
      'revision needs model: a Hugging Face repo id whose snapshot to use',
      'text-layers needs model: a diffusers pipeline folder or a Hugging Face repo id to build with them',
      'quantize needs model: a diffusers pipeline folder or a Hugging Face repo id to build quantized',
    ]);
    const run = resolveRunSettings({}, raw);
    const generate = resolveGenerateSettings({ prompt: 'A photo of a cat', ...raw });
    expect(E.isLeft(run) && run.left).toEqual(problems);
    expect(E.isLeft(generate) && generate.left).toEqual(problems);
    expect(resolveModelSourceSettings({ model: 'org/name', quantBlockSize: '64' }).problems).toEqual(['quant-block-size needs quantize (int8 or int4)']);
  });

  it('gives generate a repo id with its build options', () => {
    const generate = resolveGenerateSettings({ prompt: 'A photo of a cat', model: 'org/name', quantize: 'int8' });
    expect(generate).toEqual(E.right(expect.objectContaining({ model: 'org/name', revision: null, textLayers: null, quantize: 'int8', quantBlockSize: null })));
  });
});
