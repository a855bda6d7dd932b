import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { mkdir, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGraphBuilder, DataType, encodeModel } from '@moral-plantain/hooks';
import { BFL_IO, describeModelFolderError, detectTextEncoderIo, detectTransformerIo, DIFFUSERS_IO, openModelFolder } from '../../src/index.js';
import { tempDir, writeFakeFolder } from '../probe/fake-folder.js';

describe('openModelFolder', () => {
  it('opens a folder of ours: model.json, diffusers naming, text encoder, external data sized', async () => {
    const dir = await writeFakeFolder({ externalData: true });
    const opened = await openModelFolder(dir)();
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
    const f = opened.right;
    expect(f.kind).toBe('ours');
    expect(f.manifest).toMatchObject({ name: 'fake', tiny: true, resolution: [64, 48] });
    expect(f.transformerIo).toEqual(DIFFUSERS_IO);
    expect(f.textEncoderIo).toEqual({ inputIds: 'input_ids', attentionMask: 'attention_mask', embeddings: 'prompt_embeds' });
    expect(f.transformer.externalData).toEqual([{ path: path.join(dir, 'transformer.onnx.data'), bytes: expect.any(Number) }]);
    expect(f.transformer.externalData[0]!.bytes).toBeGreaterThan(1024);
    expect(f.transformer.inputs.map((i) => [i.name, i.type, i.shape])).toEqual([
      ['hidden_states', 'float', ['batch', 'image_tokens', 8]],
      ['encoder_hidden_states', 'float', ['batch', 'text_tokens', 12]],
      ['timestep', 'float', ['batch']],
      ['img_ids', 'float', ['image_tokens', 4]],
      ['txt_ids', 'float', ['text_tokens', 4]],
    ]);
  });

  it('detects a community export with BFL names in transformer/model.onnx and float16 inputs, with no model.json', async () => {
    const dir = await writeFakeFolder({ naming: 'bfl', inputType: 'float16', manifest: false, textEncoder: false, transformerFile: 'transformer/model.onnx' });
    const opened = await openModelFolder(dir)();
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
    expect(opened.right).toMatchObject({ kind: 'community', manifest: null, textEncoder: null, textEncoderIo: null, promptEmbeddings: null });
    expect(opened.right.transformerIo).toEqual(BFL_IO);
    expect(opened.right.transformer.inputs.find((i) => i.name === 'x')?.type).toBe('float16');
  });

  it('finds a tokenizer.json and prompt_embeds.safetensors beside the graphs', async () => {
    const dir = await writeFakeFolder({ manifest: false });
    await mkdir(path.join(dir, 'tokenizer'));
    await writeFile(path.join(dir, 'tokenizer', 'tokenizer.json'), '{}');
    await writeFile(path.join(dir, 'prompt_embeds.safetensors'), '');
    const opened = await openModelFolder(dir)();
    expect(E.isRight(opened) && [opened.right.tokenizerDir, opened.right.promptEmbeddings]).toEqual([path.join(dir, 'tokenizer'), path.join(dir, 'prompt_embeds.safetensors')]);
  });

  it('names the inputs of a graph with neither naming, a missing transformer, and every model.json problem', async () => {
    const dir = await tempDir();
    const b = createGraphBuilder({ name: 'other' });
    b.output(b.op('Identity', [b.input('latents', DataType.FLOAT, [1])]), DataType.FLOAT, [1]);
    await writeFile(path.join(dir, 'transformer.onnx'), encodeModel(b.build()));
    const unknown = await openModelFolder(dir)();
    expect(unknown).toMatchObject(E.left([{ _tag: 'UnknownTransformerNaming', inputs: ['latents'] }]));
    if (E.isLeft(unknown)) expect(describeModelFolderError(unknown.left[0]!).message).toContain('latents');
    const empty = await tempDir();
    expect(await openModelFolder(empty)()).toMatchObject(E.left([{ _tag: 'NoTransformer' }]));
    expect(await openModelFolder(path.join(empty, 'nope'))()).toMatchObject(E.left([{ _tag: 'FolderUnreadable' }]));
    await writeFile(path.join(empty, 'model.json'), JSON.stringify({ format: 'x', tiny: 'yes', transformer: { file: '../t.onnx', config: {}, weights: 'w' }, tokenizerFiles: [], seeds: {}, resolution: [100, 64] }));
    const bad = await openModelFolder(empty)();
    expect(E.isLeft(bad) && bad.left[0]!._tag === 'BadManifest' && bad.left[0]!.problems.map((p) => p.key)).toEqual(['format', 'name', 'tiny', 'transformer.file', 'resolution']);
  });

  it('reports a missing external data file', async () => {
    const dir = await writeFakeFolder({ externalData: true });
    const { rm } = await import('node:fs/promises');
    await rm(path.join(dir, 'transformer.onnx.data'));
    expect(await openModelFolder(dir)()).toMatchObject(E.left([{ _tag: 'MissingFile', path: path.join(dir, 'transformer.onnx.data') }]));
  });

  it('reports an external data file shorter than the tensors it holds, as a cut-off copy leaves it', async () => {
    const dir = await writeFakeFolder({ externalData: true });
    const data = path.join(dir, 'transformer.onnx.data');
    const { size } = await stat(data);
    await truncate(data, size - 1);
    const opened = await openModelFolder(dir)();
    expect(opened).toMatchObject(E.left([{ _tag: 'TruncatedFile', path: data, bytes: size - 1, needed: size }]));
    if (E.isLeft(opened)) expect(describeModelFolderError(opened.left[0]!).message).toContain('is truncated');
  });
});

describe('naming detection', () => {
  it('needs all five inputs of one convention and prefers its prediction name over taps', () => {
    expect(detectTransformerIo(['x', 'x_ids', 'timesteps', 'ctx', 'ctx_ids'], ['tap/a', 'pred'])).toEqual(E.right(BFL_IO));
    expect(detectTransformerIo(['hidden_states', 'encoder_hidden_states', 'timestep', 'img_ids', 'txt_ids', 'guidance'], ['tap/a', 'out'])).toEqual(E.right({ ...DIFFUSERS_IO, prediction: 'out' }));
    expect(E.isLeft(detectTransformerIo(['hidden_states', 'encoder_hidden_states', 'timestep', 'img_ids'], ['noise_pred']))).toBe(true);
    expect(detectTextEncoderIo(['input_ids', 'attention_mask'], ['last_hidden_state'])).toEqual(E.right({ inputIds: 'input_ids', attentionMask: 'attention_mask', embeddings: 'last_hidden_state' }));
    expect(E.isLeft(detectTextEncoderIo(['input_ids'], ['prompt_embeds']))).toBe(true);
  });
});
