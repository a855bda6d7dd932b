import * as ort from '@moral-plantain/onnxruntime-node';
import { createGraphBuilder, DataType, encodeModel } from '@moral-plantain/hooks';
import { describe, expect, it } from 'vitest';
import { inlineSink } from '../../src/graph-weights/parameter-sink.js';
import { createParameterStore } from '../../src/graph-weights/parameter-store.js';
import { matMulNBits, seededStream, seededWeights, type QuantizationOptions } from '../../src/index.js';
import { dequantizedLinears } from './quantized-weights.js';

/** One quantized linear layer y = x W^T as a graph: input x [2, 5, k], output y [2, 5, n]. */
async function quantizedLinear(n: number, k: number, options: QuantizationOptions) {
  const b = createGraphBuilder({ name: 'quantized_linear', opset: 21 });
  const x = b.input('x', DataType.FLOAT, [2, 5, k]);
  const scope = b.scope('blocks.0').scope('proj');
  const store = createParameterStore(seededWeights({ seed: 4 }), inlineSink(), 'float32');
  const weight = await store.quantized(scope, 'blocks.0.proj.weight', [n, k], { kind: 'linear', fanIn: k }, options);
  b.output(matMulNBits(scope, x, weight, 'y'), DataType.FLOAT, [2, 5, n]);
  return b.build();
}

describe('a quantized linear layer run by ONNX Runtime (CPU provider)', () => {
  it.each([
    { bits: 8, blockSize: 128, symmetric: true, k: 384 },
    { bits: 8, blockSize: 32, symmetric: false, k: 200 },
    { bits: 4, blockSize: 128, symmetric: true, k: 64 },
    { bits: 4, blockSize: 16, symmetric: false, k: 200 },
    { bits: 4, blockSize: 64, symmetric: true, k: 320 },
  ] as const)('equals x times the dequantized weight to 1e-5 relative: int$bits, blocks of $blockSize, symmetric $symmetric, K = $k', async ({ k, ...options }) => {
    const n = 48;
    const model = await quantizedLinear(n, k, options);
    const [layer] = dequantizedLinears(model);
    expect(layer).toMatchObject({ weightName: 'blocks.0.proj.weight', k, n, bits: options.bits, blockSize: options.blockSize });
    const stream = seededStream(9, 'x');
    const x = Float32Array.from({ length: 2 * 5 * k }, () => stream.normal());
    const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'] });
    const y = (await session.run({ x: new ort.Tensor('float32', x, [2, 5, k]) }))['y'] as ort.Tensor;
    await session.release();
    expect(y.dims).toEqual([2, 5, n]);
    // Direct float64 matmul of the input with the weight read back from the operator's documentation.
    const w = layer!.dequantized.weight;
    let maxError = 0;
    let maxValue = 0;
    for (let row = 0; row < 10; row++) {
      for (let o = 0; o < n; o++) {
        let sum = 0;
        for (let j = 0; j < k; j++) sum += (x[row * k + j] as number) * (w[o * k + j] as number);
        maxError = Math.max(maxError, Math.abs(((y.data as Float32Array)[row * n + o] as number) - sum));
        maxValue = Math.max(maxValue, Math.abs(sum));
      }
    }
    expect(maxValue).toBeGreaterThan(0.5);
    expect(maxError / maxValue).toBeLessThan(1e-5);
  });
});
