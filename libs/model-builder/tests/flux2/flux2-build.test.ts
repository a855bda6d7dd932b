import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSafetensors, fromFloat16Bits, toFloat16Bits, type SafetensorsTensor } from '@moral-plantain/formats';
import { DataType, decodeModel, encodeModel, findLinearLayers, selectLayers, tapModelFile } from '@moral-plantain/hooks';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildFlux2Transformer,
  buildFlux2TransformerFile,
  checkpointWeights,
  describeGraphBuildError,
  flux2ParameterShapes,
  flux2Presets,
  seededTensor,
  seededWeights,
  type Flux2Config,
  type WeightSource,
} from '../../src/index.js';
import { flux2Reference } from '@moral-plantain/references';
import { flux2Feeds, flux2TestInputs, maxAbsDiff } from './flux2-inputs.js';

const tiny = flux2Presets.tiny;
const inputs = flux2TestInputs(tiny, 1, 8, 32, [1]);

describe('building FLUX.2 transformers into files', () => {
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flux2-build-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('streams every weight into transformer.onnx.data as it is read, and ONNX Runtime gives the in-memory model output', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'transformer.onnx');
    // Before each read, the temporary data file already holds every weight read so far.
    let bytesSoFar = 0;
    const observed: number[] = [];
    const inner = seededWeights({ seed: 2 });
    const watching: WeightSource = {
      ...inner,
      read: async (name, shape, init) => {
        const temp = (await readdir(dir)).find((f) => f.endsWith('.tmp'));
        observed.push(temp ? (await stat(path.join(dir, temp))).size - bytesSoFar : Number.NaN);
        bytesSoFar += shape.reduce((p, s) => p * s, 4);
        return inner.read(name, shape, init);
      },
    };
    const written = await buildFlux2TransformerFile(tiny, watching, { file, externalData: true });
    expect(E.isRight(written)).toBe(true);
    if (E.isLeft(written)) return;
    // Page alignment leaves gaps, so the file is at least as long as the data already read.
    expect(observed.every((gap) => gap >= 0)).toBe(true);
    expect(written.right.dataPath).toBe(path.join(dir, 'transformer.onnx.data'));
    expect((await readdir(dir)).sort()).toEqual(['transformer.onnx', 'transformer.onnx.data']);
    expect(written.right.graphBytes).toBeLessThan(200_000);
    const model = decodeModel(await readFile(file));
    if (E.isLeft(model)) throw new Error('decode');
    const parameters = new Set(flux2ParameterShapes(tiny).map((p) => p.name));
    const external = (model.right.graph?.initializer ?? []).filter((t) => parameters.has(t.name));
    expect(external).toHaveLength(parameters.size);
    for (const tensor of external) {
      const entries = Object.fromEntries(tensor.externalData.map((e) => [e.key, e.value]));
      expect(entries['location']).toBe('transformer.onnx.data');
      expect(Number(entries['offset']) % 4096).toBe(0);
      expect(tensor.rawData.byteLength).toBe(0);
    }
    const fromFile = await ort.InferenceSession.create(file);
    const inMemory = await buildFlux2Transformer(tiny, seededWeights({ seed: 2 }));
    if (E.isLeft(inMemory)) throw new Error('build');
    const expected = await (await ort.InferenceSession.create(encodeModel(inMemory.right.model))).run(flux2Feeds(tiny, inputs));
    const actual = await fromFile.run(flux2Feeds(tiny, inputs));
    expect(Array.from((actual['noise_pred'] as ort.Tensor).data as Float32Array)).toEqual(Array.from((expected['noise_pred'] as ort.Tensor).data as Float32Array));
  });

  it('gives a streamed model that the flux2 tap preset taps into another folder, with unchanged noise_pred', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'model', 'transformer.onnx');
    await mkdir(path.dirname(file));
    const written = await buildFlux2TransformerFile(tiny, seededWeights({ seed: 6 }), { file, externalData: true });
    if (E.isLeft(written)) throw new Error(describeGraphBuildError(written.left[0], 'FLUX.2').message);
    const tappedPath = path.join(dir, 'tapped', 'transformer.onnx');
    await mkdir(path.dirname(tappedPath));
    const tapped = await tapModelFile(file, tappedPath, { preset: 'flux2' })();
    if (E.isLeft(tapped)) throw new Error(JSON.stringify(tapped.left));
    expect(tapped.right.manifest.totalUnits).toBe(2 * 4 + 4 * 16);
    const plain = await (await ort.InferenceSession.create(file)).run(flux2Feeds(tiny, inputs));
    const withTaps = await (await ort.InferenceSession.create(tappedPath)).run(flux2Feeds(tiny, inputs));
    expect(Array.from((withTaps['noise_pred'] as ort.Tensor).data as Float32Array)).toEqual(Array.from((plain['noise_pred'] as ort.Tensor).data as Float32Array));
    for (const tap of tapped.right.manifest.taps) expect((withTaps[tap.output] as ort.Tensor).dims).toEqual([1, tap.units]);
  });

  it('keeps small models in one graph file unless asked for external data', async () => {
    const dir = await tempDir();
    const written = await buildFlux2TransformerFile(tiny, seededWeights(), { file: path.join(dir, 'transformer.onnx') });
    expect(E.isRight(written) && written.right.dataPath).toBeUndefined();
    expect(await readdir(dir)).toEqual(['transformer.onnx']);
  });

  it('builds from a diffusers safetensors checkpoint the same model as from the seeded source it was written from', async () => {
    const dir = await checkpointDir(await tempDir(), tiny, (tensors) => tensors);
    const source = await checkpointWeights(dir);
    if (E.isLeft(source)) throw new Error(JSON.stringify(source.left));
    const fromCheckpoint = await buildFlux2Transformer(tiny, source.right);
    const fromSeed = await buildFlux2Transformer(tiny, seededWeights({ seed: 9 }));
    if (E.isLeft(fromCheckpoint) || E.isLeft(fromSeed)) throw new Error('build');
    expect(Buffer.from(encodeModel(fromCheckpoint.right.model)).equals(Buffer.from(encodeModel(fromSeed.right.model)))).toBe(true);
  });

  it('names the checkpoint tensors the config never read', async () => {
    const extra: SafetensorsTensor = { dtype: 'F32', shape: [2], bytes: new Uint8Array(8) };
    const dir = await checkpointDir(await tempDir(), tiny, (tensors) => tensors.set('time_guidance_embed.guidance_embedder.linear_1.weight', extra));
    const source = await checkpointWeights(dir);
    if (E.isLeft(source)) throw new Error('open');
    const result = await buildFlux2Transformer(tiny, source.right);
    expect(E.isLeft(result) && result.left).toEqual([{ _tag: 'ExtraTensors', names: ['time_guidance_embed.guidance_embedder.linear_1.weight'], source: dir }]);
    expect(E.isLeft(result) && describeGraphBuildError(result.left[0], 'FLUX.2')).toMatchObject({
      message: expect.stringMatching(/1 tensor the model does not use: time_guidance_embed.guidance_embedder.linear_1.weight\.$/),
      hint: expect.stringMatching(/config matches the checkpoint/),
    });
  });

  it('names every missing and wrongly shaped tensor at once, and leaves no data file behind', async () => {
    const root = await tempDir();
    const dir = await checkpointDir(root, tiny, (tensors) => {
      tensors.delete('transformer_blocks.1.attn.norm_added_q.weight');
      tensors.delete('proj_out.weight');
      const wrong = tensors.get('single_transformer_blocks.3.attn.to_out.weight') as SafetensorsTensor;
      return tensors.set('single_transformer_blocks.3.attn.to_out.weight', { ...wrong, shape: [256, 64] });
    });
    const source = await checkpointWeights(dir);
    if (E.isLeft(source)) throw new Error('open');
    const out = path.join(root, 'out');
    await mkdir(out);
    const result = await buildFlux2TransformerFile(tiny, source.right, { file: path.join(out, 'transformer.onnx'), externalData: true });
    if (E.isRight(result)) throw new Error('expected weight problems');
    expect(result.left.map((p) => [p._tag, 'name' in p ? p.name : ''])).toEqual([
      ['MissingTensor', 'transformer_blocks.1.attn.norm_added_q.weight'],
      ['WrongShape', 'single_transformer_blocks.3.attn.to_out.weight'],
      ['MissingTensor', 'proj_out.weight'],
    ]);
    expect(await readdir(out)).toEqual([]);
  });

  it('stores float16 weights behind a Cast: taps still find the layers, and the output is the float32 forward pass of the rounded weights', async () => {
    const built = await buildFlux2Transformer(tiny, seededWeights({ seed: 4 }), { dtype: 'float16' });
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const weights = (built.right.model.graph?.initializer ?? []).filter((t) => t.name.endsWith('.weight'));
    expect(new Set(weights.map((t) => t.dataType))).toEqual(new Set([DataType.FLOAT16]));
    const selected = selectLayers(findLinearLayers(built.right.model), { preset: 'flux2' });
    expect(E.isRight(selected) && selected.right.map((s) => [s.layer.inputWidth, s.layer.inputType])).toEqual([...Array(2).fill([64, DataType.FLOAT]), ...Array(4).fill([256, DataType.FLOAT])]);
    const rounded: WeightSource = {
      description: 'seeded, rounded to float16',
      read: async (name, shape, init) => E.right(fromFloat16Bits(toFloat16Bits(seededTensor(4, name, shape, init)))),
      unread: () => [],
    };
    const expected = await flux2Reference(tiny, rounded, inputs);
    const out = await (await ort.InferenceSession.create(encodeModel(built.right.model))).run(flux2Feeds(tiny, inputs));
    expect(maxAbsDiff((out['noise_pred'] as ort.Tensor).data as Float32Array, expected.noisePred)).toBeLessThan(1e-4);
  });

  it('refuses an invalid config before reading anything, and full-size weights in memory', async () => {
    let reads = 0;
    const counting: WeightSource = { description: 'counting', read: async (...args) => (reads++, seededWeights().read(...args)), unread: () => [] };
    const invalid = await buildFlux2Transformer({ ...tiny, attention_head_dim: 15 }, counting);
    expect(E.isLeft(invalid) && invalid.left.map((p) => describeGraphBuildError(p, 'FLUX.2').message)).toEqual([
      'The FLUX.2 config\'s "axes_dims_rope" and "attention_head_dim" disagree: the RoPE axes sum to 16 but each head has 15 dims; they must be equal.',
    ]);
    const large = await buildFlux2Transformer(flux2Presets['klein-4b'], counting);
    expect(E.isLeft(large) && large.left.map((p) => p._tag)).toEqual(['TooLargeForMemory']);
    expect(reads).toBe(0);
  });
});

/** A diffusers-style folder: config.json and diffusion_pytorch_model.safetensors of seed-9 weights (F32), edited by `edit`. */
async function checkpointDir(dir: string, config: Flux2Config, edit: (tensors: Map<string, SafetensorsTensor>) => Map<string, SafetensorsTensor>): Promise<string> {
  const tensors = new Map<string, SafetensorsTensor>();
  for (const p of flux2ParameterShapes(config)) {
    const init = p.shape.length === 1 ? ({ kind: 'ones' } as const) : ({ kind: 'linear', fanIn: p.shape[1] as number } as const);
    const values = seededTensor(9, p.name, p.shape, init);
    tensors.set(p.name, { dtype: 'F32', shape: p.shape, bytes: new Uint8Array(values.buffer) });
  }
  await writeFile(path.join(dir, 'diffusion_pytorch_model.safetensors'), encodeSafetensors(edit(tensors)));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ _class_name: 'Flux2Transformer2DModel', ...config }));
  return dir;
}
