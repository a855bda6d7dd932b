import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { encodeModel } from '@moral-plantain/hooks';
import { flux2VaeDecodeReference, flux2VaeEncodeReference, type ReferenceImageTensor } from '@moral-plantain/references';
import { describe, expect, it } from 'vitest';
import { buildFlux2Vae, flux2VaePresets, type Flux2VaeConfig, type Flux2VaeGraphs } from '../../src/index.js';
import { maxAbsDiff } from '../flux2/flux2-inputs.js';
import { testPixels, vaeTestWeights } from './vae-test-weights.js';

async function built(config: Flux2VaeConfig, seed: number): Promise<Flux2VaeGraphs> {
  const graphs = await buildFlux2Vae(config, vaeTestWeights(seed));
  if (E.isLeft(graphs)) throw new Error(JSON.stringify(graphs.left));
  return graphs.right;
}

async function run(model: Flux2VaeGraphs['encoder'], input: string, tensor: ReferenceImageTensor, output: string): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const feed = new ort.Tensor('float32', Float32Array.from(tensor.data), [tensor.batch, tensor.channels, tensor.height, tensor.width]);
  return (await session.run({ [input]: feed }))[output] as ort.Tensor;
}

function rms(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) ** 2;
  return Math.sqrt(sum / values.length);
}

describe('FLUX.2 VAE graphs against the direct TypeScript implementation', () => {
  const config = flux2VaePresets.tiny;

  it('encodes to the patchified, bn-normalised latents within 1e-4 (tiny preset, batch 2, 16 x 32 pixels)', async () => {
    const graphs = await built(config, 3);
    const image: ReferenceImageTensor = { data: Float64Array.from(testPixels(1, 2 * 3 * 16 * 32)), batch: 2, channels: 3, height: 16, width: 32 };
    const out = await run(graphs.encoder, 'image', image, 'latents');
    const expected = await flux2VaeEncodeReference(config, vaeTestWeights(3), image);
    expect(out.dims).toEqual([2, 128, 1, 2]);
    expect([expected.channels, expected.height, expected.width]).toEqual([128, 1, 2]);
    // Latents of order 1, so an absolute tolerance is meaningful.
    expect(rms(expected.data)).toBeGreaterThan(0.1);
    expect(maxAbsDiff(out.data as Float32Array, expected.data)).toBeLessThan(1e-4);
  });

  it('decodes latents to pixels within 1e-4 (tiny preset, batch 2, 2 x 1 tokens)', async () => {
    const graphs = await built(config, 4);
    const latents: ReferenceImageTensor = { data: Float64Array.from(testPixels(2, 2 * 128 * 2 * 1)), batch: 2, channels: 128, height: 2, width: 1 };
    const out = await run(graphs.decoder, 'latents', latents, 'image');
    const expected = await flux2VaeDecodeReference(config, vaeTestWeights(4), latents);
    expect(out.dims).toEqual([2, 3, 32, 16]);
    expect(rms(expected.data)).toBeGreaterThan(0.1);
    expect(maxAbsDiff(out.data as Float32Array, expected.data)).toBeLessThan(1e-4);
  });

  it('agrees for a config without quant convs or mid-block attention, with its own decoder channels and one layer per block', async () => {
    const variant: Flux2VaeConfig = {
      ...config,
      block_out_channels: [4, 8, 8, 8],
      decoder_block_out_channels: [8, 4, 8, 8],
      layers_per_block: 1,
      latent_channels: 2,
      use_quant_conv: false,
      use_post_quant_conv: false,
      mid_block_add_attention: false,
    };
    const graphs = await built(variant, 5);
    const image: ReferenceImageTensor = { data: Float64Array.from(testPixels(3, 32 * 32 * 3)), batch: 1, channels: 3, height: 32, width: 32 };
    const latents = await run(graphs.encoder, 'image', image, 'latents');
    const expectedLatents = await flux2VaeEncodeReference(variant, vaeTestWeights(5), image);
    expect(latents.dims).toEqual([1, 8, 2, 2]);
    expect(maxAbsDiff(latents.data as Float32Array, expectedLatents.data)).toBeLessThan(1e-4);
    const pixels = await run(graphs.decoder, 'latents', expectedLatents, 'image');
    const expectedPixels = await flux2VaeDecodeReference(variant, vaeTestWeights(5), expectedLatents);
    expect(pixels.dims).toEqual([1, 3, 32, 32]);
    expect(maxAbsDiff(pixels.data as Float32Array, expectedPixels.data)).toBeLessThan(1e-4);
  });
});
