import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSafetensors, fromBfloat16Bits, fromFloat16Bits, toFloat16Bits, type SafetensorsTensor } from '@moral-plantain/formats';
import { flux2VaeDecodeReference, flux2VaeEncodeReference } from '@moral-plantain/references';
import { describe, expect, it } from 'vitest';
import {
  buildFlux2Vae,
  buildFlux2VaeFiles,
  checkpointWeights,
  describeGraphBuildError,
  flux2VaeParameterShapes,
  flux2VaePresets,
  parseFlux2VaeConfig,
  type Flux2VaeConfig,
  type WeightSource,
} from '../../src/index.js';
import { recordingWeights, vaeTestWeights } from './vae-test-weights.js';

/** The parameters the independent reference reads for a config: the names and shapes a diffusers checkpoint has. */
async function referenceParameters(config: Flux2VaeConfig): Promise<Map<string, readonly number[]>> {
  const recorder = recordingWeights(vaeTestWeights(1));
  const image = { data: new Float64Array(3 * 16 * 16), batch: 1, channels: 3, height: 16, width: 16 };
  const latents = await flux2VaeEncodeReference(config, recorder, image);
  await flux2VaeDecodeReference(config, recorder, latents);
  return recorder.reads;
}

/** A diffusers-style checkpoint of those parameters: F32, F16 and BF16 in turn, plus `bn.num_batches_tracked` (I64). */
async function writeCheckpoint(dir: string, parameters: ReadonlyMap<string, readonly number[]>, extra: readonly string[] = []): Promise<Map<string, Float32Array>> {
  const tensors = new Map<string, SafetensorsTensor>();
  const stored = new Map<string, Float32Array>();
  const source = vaeTestWeights(9);
  let i = 0;
  for (const [name, shape] of parameters) {
    const read = await source.read(name, shape, { kind: 'linear', fanIn: shape.slice(1).reduce((p, s) => p * s, 1) || 1 });
    if (E.isLeft(read)) throw new Error(name);
    const values = read.right;
    const dtype = (['F32', 'F16', 'BF16'] as const)[i++ % 3]!;
    if (dtype === 'F32') {
      tensors.set(name, { dtype, shape, bytes: new Uint8Array(values.buffer.slice(0)) });
      stored.set(name, values);
    } else if (dtype === 'F16') {
      const bits = toFloat16Bits(values);
      tensors.set(name, { dtype, shape, bytes: new Uint8Array(bits.buffer) });
      stored.set(name, fromFloat16Bits(bits));
    } else {
      const bits = Uint16Array.from(new Uint32Array(values.buffer.slice(0)), (w) => w >>> 16);
      tensors.set(name, { dtype, shape, bytes: new Uint8Array(bits.buffer) });
      stored.set(name, fromBfloat16Bits(bits));
    }
  }
  tensors.set('bn.num_batches_tracked', { dtype: 'I64', shape: [], bytes: new Uint8Array(new BigInt64Array([12345n]).buffer) });
  for (const name of extra) tensors.set(name, { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) });
  await writeFile(path.join(dir, 'diffusion_pytorch_model.safetensors'), encodeSafetensors(tensors));
  return stored;
}

async function open(dir: string): Promise<WeightSource> {
  const weights = await checkpointWeights(dir);
  if (E.isLeft(weights)) throw new Error(JSON.stringify(weights.left));
  return weights.right;
}

describe('FLUX.2 VAE from a diffusers vae/ folder', () => {
  const config = flux2VaePresets.tiny;

  it('reads exactly the parameters the independent implementation reads, with their shapes', async () => {
    const reads = await referenceParameters(config);
    const listed = [...flux2VaeParameterShapes(config, 'encoder'), ...flux2VaeParameterShapes(config, 'decoder')];
    expect(new Map(listed.map((p) => [p.name, p.shape]))).toEqual(reads);
  });

  it('builds from a checkpoint of F32, F16 and BF16 tensors, ignoring bn.num_batches_tracked, and runs like the reference on the stored values', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vae-checkpoint-'));
    const stored = await writeCheckpoint(dir, await referenceParameters(config));
    const written = await buildFlux2VaeFiles(config, await open(dir), { dir });
    if (E.isLeft(written)) throw new Error(written.left.map((e) => describeGraphBuildError(e, 'FLUX.2 VAE').message).join('\n'));
    const session = await ort.InferenceSession.create(written.right.encoderPath);
    const image = { data: Float64Array.from({ length: 3 * 16 * 16 }, (_, i) => Math.sin(i / 7)), batch: 1, channels: 3, height: 16, width: 16 };
    const out = (await session.run({ image: new ort.Tensor('float32', Float32Array.from(image.data), [1, 3, 16, 16]) }))['latents'] as ort.Tensor;
    const fromStored: WeightSource = { description: 'stored', read: async (name) => E.right(stored.get(name)!), unread: () => [] };
    const expected = await flux2VaeEncodeReference(config, fromStored, image);
    const data = out.data as Float32Array;
    expect(Math.max(...data.map((v, i) => Math.abs(v - expected.data[i]!)))).toBeLessThan(1e-4);
    expect((await readFile(written.right.decoderPath)).byteLength).toBeGreaterThan(0);
  });

  it('reports every missing and unused tensor at once, and a config that does not match the checkpoint', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vae-checkpoint-'));
    const reads = await referenceParameters(config);
    reads.delete('quant_conv.bias');
    reads.delete('decoder.conv_out.weight');
    await writeCheckpoint(dir, reads, ['encoder.extra.weight']);
    const built = await buildFlux2Vae(config, await open(dir));
    if (E.isRight(built)) throw new Error('expected errors');
    const messages = built.left.map((e) => describeGraphBuildError(e, 'FLUX.2 VAE').message);
    expect(messages).toEqual([
      `The checkpoint ${dir} has no tensor quant_conv.bias.`,
      `The checkpoint ${dir} has no tensor decoder.conv_out.weight.`,
      `The checkpoint ${dir} has 1 tensor the model does not use: encoder.extra.weight.`,
    ]);
    const wider = await buildFlux2Vae({ ...config, latent_channels: 16 }, await open(dir));
    expect(E.isLeft(wider) && wider.left.some((e) => e._tag === 'WrongShape' && e.name === 'encoder.conv_out.weight')).toBe(true);
  });

  it("parses a diffusers config.json with the class defaults and names what is wrong", () => {
    const parsed = parseFlux2VaeConfig({ _class_name: 'AutoencoderKLFlux2', block_out_channels: [128, 256, 512, 512], latent_channels: 32, sample_size: 1024, force_upcast: true });
    expect(parsed).toEqual(E.right({ config: flux2VaePresets.klein, ignoredKeys: ['_class_name', 'force_upcast', 'sample_size'] }));
    const bad = parseFlux2VaeConfig({ block_out_channels: [12, 24], latent_channels: 4, patch_size: [1, 1], act_fn: 'relu', down_block_types: ['DownBlock2D'] });
    expect(E.isLeft(bad) && bad.left.map((p) => p._tag + ':' + ('key' in p ? p.key : p._tag === 'Inconsistent' ? p.keys.join('+') : ''))).toEqual([
      'Unsupported:act_fn',
      'Unsupported:down_block_types',
      'Inconsistent:down_block_types+block_out_channels',
      'Inconsistent:up_block_types+block_out_channels',
      'Unsupported:patch_size',
      'Inconsistent:norm_num_groups+block_out_channels',
    ]);
    expect(parseFlux2VaeConfig({ latent_channels: 4 })).toEqual(E.left([{ _tag: 'MissingKey', key: 'block_out_channels' }]));
  });
});
