import * as E from 'fp-ts/lib/Either.js';
import { findLinearLayers } from '@moral-plantain/hooks';
import { referenceQwen3Forward } from '@moral-plantain/references';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildQwen3TextEncoder, buildQwen3TextEncoderFile, qwen3Presets, qwen3WeightBytes, type QuantizationOptions } from '../../src/index.js';
import { maxAbsDiff, perturbedWeights, runEncoder } from '../qwen3/qwen3-test-weights.js';
import { dequantizedLinears } from './quantized-weights.js';

const tiny = qwen3Presets.tiny;
const ids = [Array.from({ length: 12 }, (_, s) => (s < 9 ? (s * 7919 + 13) % 151_936 : 151_643))];
const mask = [Array.from({ length: 12 }, (_, s) => (s < 9 ? 1 : 0))];

describe('a quantized Qwen3 text encoder', () => {
  it.each([
    { bits: 8, blockSize: 16, symmetric: true },
    { bits: 4, blockSize: 32, symmetric: false },
  ] as const)('int$bits, blocks of $blockSize: gives the direct forward pass of its dequantized weights to 1e-4, embedding and norms in float', async (quantization) => {
    const weights = perturbedWeights(7);
    const built = await buildQwen3TextEncoder(tiny, weights, { quantization });
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    const dequantized = new Map(dequantizedLinears(built.right.model).map((l) => [l.weightName, Float32Array.from(l.dequantized.weight)]));
    // 3 layers x 7 projections; nothing else is quantized.
    expect(dequantized.size).toBe(21);
    expect([...dequantized.keys()].every((name) => /^model\.layers\.\d\.(self_attn|mlp)\.\w+_proj\.weight$/u.test(name))).toBe(true);
    const param = (name: string): Float32Array => dequantized.get(name) ?? (weights.values.get(name) as Float32Array);
    const out = await runEncoder(built.right.model, ids, mask);
    expect(maxAbsDiff(out.data, referenceQwen3Forward(tiny.model, param, ids, mask, tiny.outputLayers))).toBeLessThan(1e-4);
    expect(built.right.quantization).toMatchObject({ bits: quantization.bits, blockSize: quantization.blockSize, quantizedLinears: 21, floatLinears: [] });
    expect(findLinearLayers(built.right.model).map((l) => l.op)).toEqual(new Array(21).fill('MatMulNBits'));
  });

  it('streams to a file with the quantized size, and records the quantization', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'qwen3-quantized-'));
    try {
      const quantization: QuantizationOptions = { bits: 4, blockSize: 16, symmetric: true };
      const written = await buildQwen3TextEncoderFile(tiny, perturbedWeights(7), { file: path.join(dir, 'text_encoder.onnx'), externalData: true, quantization });
      if (E.isLeft(written)) throw new Error(JSON.stringify(written.left));
      expect(written.right.dataBytes).toBeGreaterThanOrEqual(qwen3WeightBytes(tiny, quantization));
      expect(qwen3WeightBytes(tiny, quantization)).toBeLessThan(qwen3WeightBytes(tiny));
      expect(written.right.quantization?.layers).toEqual([
        'model.layers.*.self_attn.q_proj',
        'model.layers.*.self_attn.k_proj',
        'model.layers.*.self_attn.v_proj',
        'model.layers.*.self_attn.o_proj',
        'model.layers.*.mlp.gate_proj',
        'model.layers.*.mlp.up_proj',
        'model.layers.*.mlp.down_proj',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
