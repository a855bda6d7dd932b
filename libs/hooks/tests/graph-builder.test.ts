import { describe, expect, it } from 'vitest';
import { attr, createGraphBuilder, DataType, float32Tensor, int64Tensor } from '../src/index.js';
import { f32, randomFloats, runModel } from './test-models.js';

describe('createGraphBuilder', () => {
  it('names nodes and outputs by scope, TorchScript style, and keeps them unique', () => {
    const b = createGraphBuilder();
    const x = b.input('x', DataType.FLOAT, [2]);
    const attn = b.scope('transformer_blocks.0').scope('attn');
    const first = attn.scope('to_out.0').op('Relu', [x]);
    const second = attn.scope('to_out.0').op('Relu', [first]);
    expect(first).toBe('/transformer_blocks.0/attn/to_out.0/Relu_output_0');
    expect(second).toBe('/transformer_blocks.0/attn/to_out.0/Relu_1_output_0');
    expect(b.build().graph!.node.map((n) => n.name)).toEqual(['/transformer_blocks.0/attn/to_out.0/Relu', '/transformer_blocks.0/attn/to_out.0/Relu_1']);
    expect(attn.scope('to_out.0').parameter('weight', float32Tensor(new Float32Array(1)))).toBe('transformer_blocks.0.attn.to_out.0.weight');
    expect(() => b.initializer('transformer_blocks.0.attn.to_out.0.weight', float32Tensor(new Float32Array(1)))).toThrow(/already has/);
  });

  it('shares identical small constants and imports domains on first use', () => {
    const b = createGraphBuilder({ opset: 21 });
    expect(b.constant(int64Tensor([0, -1]))).toBe(b.constant(int64Tensor([0, -1])));
    expect(b.constant(int64Tensor([0, -1]))).not.toBe(b.constant(int64Tensor([0, -2])));
    b.node('FusedMatMul', ['a', 'b'], { domain: 'com.microsoft' });
    expect(b.build().opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 21],
      ['com.microsoft', 1],
    ]);
  });

  it('builds a layer-norm, linear, softmax block that ONNX Runtime runs to the values computed here', async () => {
    const n = 3;
    const c = 8;
    const b = createGraphBuilder({ opset: 21 });
    const x = b.input('x', DataType.FLOAT, [n, c]);
    const w = randomFloats(c * c, 5);
    const normed = b.scope('norm').op('LayerNormalization', [x, b.constant(float32Tensor(new Float32Array(c).fill(1)))], { axis: attr.int(-1), epsilon: attr.float(1e-6) });
    const projected = b.scope('proj').op('Gemm', [normed, b.scope('proj').parameter('weight', float32Tensor(w, [c, c]))], { transB: attr.int(1), alpha: attr.float(0.5) });
    const probs = b.op('Softmax', [projected], { axis: attr.int(-1) });
    b.output(probs, DataType.FLOAT, [n, c]);
    const input = randomFloats(n * c, 6, 3);
    const out = (await runModel(b.build(), { x: f32(input, [n, c]) }))[probs]!.data as Float32Array;
    for (let r = 0; r < n; r++) {
      const row = Array.from(input.subarray(r * c, (r + 1) * c));
      const mean = row.reduce((s, v) => s + v, 0) / c;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / c;
      const ln = row.map((v) => (v - mean) / Math.sqrt(variance + 1e-6));
      const logits = Array.from({ length: c }, (_, o) => 0.5 * ln.reduce((s, v, i) => s + v * (w[o * c + i] as number), 0));
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const total = exps.reduce((s, v) => s + v, 0);
      exps.forEach((e, o) => expect(out[r * c + o]).toBeCloseTo(e / total, 5));
    }
  });

  it('builds a graph of thousands of nodes that ONNX Runtime loads and runs', async () => {
    const b = createGraphBuilder();
    let x = b.input('x', DataType.FLOAT, [4]);
    const one = b.constant(float32Tensor(new Float32Array([1, 1, 1, 1])));
    for (let i = 0; i < 3000; i++) x = b.scope(`layers.${i % 100}`).op('Add', [x, one]);
    b.output(x, DataType.FLOAT, [4]);
    expect(new Set(b.build().graph!.node.map((n) => n.name)).size).toBe(3000);
    const out = await runModel(b.build(), { x: f32(new Float32Array([0, 1, 2, 3]), [4]) });
    expect(Array.from(out[x]!.data as Float32Array)).toEqual([3000, 3001, 3002, 3003]);
  });
});
