import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { decodeModel, encodeModel, insertTaps } from '@moral-plantain/hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFlux2Transformer, flux2Presets, type Flux2Config } from '../../src/index.js';
import { flux2Reference, type Flux2ReferenceInputs, type Flux2ReferenceResult } from '@moral-plantain/references';
import { flux2Feeds, flux2TestInputs, maxAbsDiff, seededWithNormWeights } from './flux2-inputs.js';

describe('FLUX.2 graph against the direct TypeScript forward pass', () => {
  const config = flux2Presets.tiny;
  // The tiny default: 8 x 8 image tokens and 512 text tokens; two samples at different timesteps.
  const inputs = flux2TestInputs(config, 2, 8, 512, [1.0, 0.37]);
  let reference: Flux2ReferenceResult;
  let bytes: Uint8Array;

  beforeAll(async () => {
    const built = await buildFlux2Transformer(config, seededWithNormWeights(11));
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    bytes = encodeModel(built.right.model);
    reference = await flux2Reference(config, seededWithNormWeights(11), inputs);
  });

  it('gives noise_pred within 1e-4 of the direct implementation (tiny preset, batch 2, 64 + 512 tokens)', async () => {
    const session = await ort.InferenceSession.create(bytes);
    expect(session.outputNames).toEqual(['noise_pred']);
    const out = (await session.run(flux2Feeds(config, inputs)))['noise_pred'] as ort.Tensor;
    expect(out.dims).toEqual([2, 64, 128]);
    const data = out.data as Float32Array;
    // The output is of order 1, so an absolute tolerance is meaningful.
    expect(rms(reference.noisePred)).toBeGreaterThan(0.1);
    expect(maxAbsDiff(data, reference.noisePred)).toBeLessThan(1e-4);
  });

  it('taps the to_out inputs that the direct implementation computes (raw and per-unit RMS)', async () => {
    const model = decodeModel(bytes);
    if (E.isLeft(model)) throw new Error('decode');
    const tapped = insertTaps(model.right, { select: ['transformer_blocks.1.attn.to_out.0', 'single_transformer_blocks.2.attn.to_out'], raw: true, unitWidth: 16 });
    if (E.isLeft(tapped)) throw new Error(JSON.stringify(tapped.left));
    const session = await ort.InferenceSession.create(encodeModel(tapped.right.model));
    const outputs = await session.run(flux2Feeds(config, inputs));
    for (const tap of tapped.right.manifest.taps) {
      const expected = reference.toOutInputs.get(tap.module);
      expect(expected, tap.module).toBeDefined();
      if (!expected || !tap.raw) continue;
      expect(tap.width).toBe(expected.width);
      const raw = outputs[tap.raw] as ort.Tensor;
      expect(raw.dims).toEqual([2, expected.tokens, expected.width]);
      expect(maxAbsDiff(raw.data as Float32Array, expected.data)).toBeLessThan(1e-4);
      const units = (outputs[tap.output] as ort.Tensor).data as Float32Array;
      expect(maxAbsDiff(units, unitRms(expected.data, 2, expected.tokens, expected.width, 16))).toBeLessThan(1e-5);
    }
    expect(tapped.right.manifest.taps.map((t) => [t.module, t.width])).toEqual([
      ['transformer_blocks.1.attn.to_out.0', 64],
      ['single_transformer_blocks.2.attn.to_out', 256],
    ]);
  });

  it('agrees with the direct implementation for a config with a guidance embedder and two-patch output', async () => {
    const guided: Flux2Config = { ...config, guidance_embeds: true, patch_size: 2, out_channels: 16, num_layers: 1, num_single_layers: 1 };
    const small: Flux2ReferenceInputs = flux2TestInputs(guided, 1, 4, 24, [0.5], 3);
    const built = await buildFlux2Transformer(guided, seededWithNormWeights(5));
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const session = await ort.InferenceSession.create(encodeModel(built.right.model));
    expect([...session.inputNames].sort()).toEqual(['encoder_hidden_states', 'guidance', 'hidden_states', 'img_ids', 'timestep', 'txt_ids']);
    const out = (await session.run(flux2Feeds(guided, small)))['noise_pred'] as ort.Tensor;
    expect(out.dims).toEqual([1, 16, 64]);
    const expected = await flux2Reference(guided, seededWithNormWeights(5), small);
    expect(maxAbsDiff(out.data as Float32Array, expected.noisePred)).toBeLessThan(1e-4);
  });
});

function rms(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum / values.length);
}

/** Per sample, RMS over tokens and each `unitWidth` channels: [batch, width / unitWidth]. */
function unitRms(data: Float64Array, batch: number, tokens: number, width: number, unitWidth: number): Float64Array {
  const units = width / unitWidth;
  const out = new Float64Array(batch * units);
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      let sum = 0;
      for (let t = 0; t < tokens; t++) for (let j = 0; j < unitWidth; j++) sum += (data[(b * tokens + t) * width + u * unitWidth + j] as number) ** 2;
      out[b * units + u] = Math.sqrt(sum / (tokens * unitWidth));
    }
  }
  return out;
}
