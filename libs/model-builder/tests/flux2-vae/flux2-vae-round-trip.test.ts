import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { encodeModel } from '@moral-plantain/hooks';
import { describe, expect, it } from 'vitest';
import { buildFlux2Vae, flux2VaePresets, seededWeights, type Flux2VaeGraphs, type WeightSource } from '../../src/index.js';

const config = flux2VaePresets.tiny;
const SIDE = 128;

/** A smooth image in [-1, 1]: gradients and a slow wave per channel, NCHW [1, 3, 128, 128]. */
function smoothImage(): Float32Array {
  const out = new Float32Array(3 * SIDE * SIDE);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) out[(c * SIDE + y) * SIDE + x] = 0.8 * Math.sin((x / SIDE) * Math.PI * (c + 1) + y / 40) * Math.cos((y / SIDE) * 2 + c);
    }
  }
  return out;
}

async function sessions(weights: WeightSource): Promise<{ encoder: ort.InferenceSession; decoder: ort.InferenceSession; graphs: Flux2VaeGraphs }> {
  const graphs = await buildFlux2Vae(config, weights);
  if (E.isLeft(graphs)) throw new Error(JSON.stringify(graphs.left));
  return { encoder: await ort.InferenceSession.create(encodeModel(graphs.right.encoder)), decoder: await ort.InferenceSession.create(encodeModel(graphs.right.decoder)), graphs: graphs.right };
}

async function encode(session: ort.InferenceSession, image: Float32Array): Promise<ort.Tensor> {
  return (await session.run({ image: new ort.Tensor('float32', image, [1, 3, SIDE, SIDE]) }))['latents'] as ort.Tensor;
}

function bytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Per-channel mean and (biased) variance of [1, C, h, w]. */
function channelMoments(data: Float32Array, channels: number): { mean: Float32Array; variance: Float32Array } {
  const n = data.length / channels;
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += data[c * n + i]!;
    const m = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (data[c * n + i]! - m) ** 2;
    mean[c] = m;
    variance[c] = v / n;
  }
  return { mean, variance };
}

describe('a VAE round trip on the tiny model', () => {
  it('encodes a smooth image to bn-normalised latents and decodes it to an image of the same size, the same bytes every time', async () => {
    const seeded = await sessions(seededWeights({ seed: 0 }));
    const image = smoothImage();
    const first = await encode(seeded.encoder, image);
    expect(first.dims).toEqual([1, 128, SIDE / 16, SIDE / 16]);
    // Trained-like statistics: the running mean and variance a training run would have fitted to these latents.
    const eps = config.batch_norm_eps;
    const raw = (first.data as Float32Array).map((v) => v * Math.sqrt(1 + eps));
    const { mean, variance } = channelMoments(raw, 128);
    const fitted: WeightSource = {
      description: 'seeded, bn fitted to the image',
      read: async (name, shape, init) => (name === 'bn.running_mean' ? E.right(mean) : name === 'bn.running_var' ? E.right(variance) : seededWeights({ seed: 0 }).read(name, shape, init)),
      unread: () => [],
    };
    const trained = await sessions(fitted);
    const latents = await encode(trained.encoder, image);
    const moments = channelMoments(latents.data as Float32Array, 128);
    for (let c = 0; c < 128; c++) {
      expect(Math.abs(moments.mean[c]!)).toBeLessThan(1e-4);
      // var / (var + eps): 1 up to the batch_norm_eps the normalisation adds.
      expect(moments.variance[c]!).toBeCloseTo(variance[c]! / (variance[c]! + eps), 3);
    }
    const decode = async () => (await trained.decoder.run({ latents }))['image'] as ort.Tensor;
    const pixels = await decode();
    expect(pixels.dims).toEqual([1, 3, SIDE, SIDE]);
    const values = pixels.data as Float32Array;
    expect(values.every(Number.isFinite)).toBe(true);
    expect(Math.max(...values.map(Math.abs))).toBeLessThan(1e3);
    // Deterministic: encoding and decoding again give the same bits.
    expect(bytes((await encode(trained.encoder, image)).data as Float32Array).equals(bytes(latents.data as Float32Array))).toBe(true);
    expect(bytes((await decode()).data as Float32Array).equals(bytes(values))).toBe(true);
  });
});
