import * as ort from '@moral-plantain/onnxruntime-node';
import {
  attr,
  createGraphBuilder,
  DataType,
  encodeModel,
  float16Tensor,
  float32Tensor,
  int64Tensor,
  rawTensor,
  type ModelProto,
} from '../src/index.js';
import { toFloat16Bits } from '@moral-plantain/formats';

/** A seeded uniform generator in [-1, 1) (mulberry32), so fixtures are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  };
}

/** `n` seeded values scaled by `scale`. */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const next = seeded(seed);
  return Float32Array.from({ length: n }, () => next() * scale);
}

/** Options of the FLUX.2-shaped test stack. */
export interface StackOptions {
  readonly channels: number;
  readonly joint: number;
  readonly single: number;
  readonly opset?: number;
  readonly float16?: boolean;
  readonly seed?: number;
}

/**
 * A small FLUX.2-shaped stack over x [batch, seq, C]: joint blocks whose `attn.to_out.0` reads
 * tanh(x Wa) (C channels) and single blocks whose `attn.to_out` reads tanh(x Wm) (4C channels),
 * each adding its projection back to x. Parameters carry diffusers names; nodes are scoped.
 */
export function flux2Stack(options: StackOptions): ModelProto {
  const c = options.channels;
  const elem = options.float16 ? DataType.FLOAT16 : DataType.FLOAT;
  const b = createGraphBuilder({ name: 'flux2-stack', opset: options.opset ?? 21 });
  const weight = (rows: number, cols: number, seed: number) => {
    const values = randomFloats(rows * cols, seed, 1 / Math.sqrt(rows));
    return options.float16 ? float16Tensor(toFloat16Bits(values), [rows, cols]) : float32Tensor(values, [rows, cols]);
  };
  let x = b.input('hidden_states', elem, ['batch', 'seq', c]);
  let seed = options.seed ?? 1;
  const block = (name: string, projIn: string, toOut: string, hidden: number) => {
    const scope = b.scope(name).scope('attn');
    const inner = scope.scope(projIn);
    const h = inner.op('Tanh', [inner.op('MatMul', [x, inner.parameter('weight', weight(c, hidden, seed++))])]);
    const out = scope.scope(toOut);
    const projected = out.op('MatMul', [h, out.parameter('weight', weight(hidden, c, seed++))]);
    x = b.scope(name).op('Add', [x, projected]);
  };
  for (let i = 0; i < options.joint; i++) block(`transformer_blocks.${i}`, 'to_v', 'to_out.0', c);
  for (let i = 0; i < options.single; i++) block(`single_transformer_blocks.${i}`, 'to_qkv_mlp_proj', 'to_out', 4 * c);
  b.output(b.node('Identity', [x], { outputs: ['output'] })[0] as string, elem, ['batch', 'seq', c]);
  return b.build();
}

/**
 * A graph shaped like a TorchScript export (opset 17): scoped node names, anonymous pre-transposed
 * weights (`onnx::MatMul_N`), a Shape/Gather/Reshape chain around the projection, no parameter names
 * and no intermediate shapes.
 */
export function torchScriptShaped(channels: number): ModelProto {
  const b = createGraphBuilder({ name: 'main_graph', opset: 17, irVersion: 8 });
  const x = b.input('hidden_states', DataType.FLOAT, ['batch', 'seq', channels]);
  const blk = b.scope('transformer_blocks.0');
  const attn = blk.scope('attn');
  const shape = attn.op('Shape', [x]);
  const batch = attn.op('Gather', [shape, b.constant(int64Tensor([0], []))], { axis: attr.int(0) });
  const seq = attn.op('Gather', [shape, b.constant(int64Tensor([1], []))], { axis: attr.int(0) });
  const dims = attn.op('Concat', [attn.op('Unsqueeze', [batch, b.constant(int64Tensor([0]))]), attn.op('Unsqueeze', [seq, b.constant(int64Tensor([0]))]), b.constant(int64Tensor([channels]))], {
    axis: attr.int(0),
  });
  const flat = attn.op('Reshape', [attn.op('Relu', [x]), dims]);
  const toOut = attn.scope('to_out.0');
  const y = toOut.op('MatMul', [flat, b.initializer('onnx::MatMul_1234', float32Tensor(randomFloats(channels * channels, 7, 0.1), [channels, channels]))]);
  const biased = toOut.op('Add', [y, b.initializer('transformer_blocks.0.attn.to_out.0.bias', float32Tensor(randomFloats(channels, 8)))]);
  const ff = blk.scope('ff').scope('net.2');
  const z = ff.op('MatMul', [biased, b.initializer('onnx::MatMul_1240', float32Tensor(randomFloats(channels * channels, 9, 0.1), [channels, channels]))]);
  b.output(z, DataType.FLOAT, ['batch', 'seq', channels]);
  return b.build();
}

/** A graph shaped like a dynamo export: named [out, in] weights through Transpose, node metadata scopes, plain node names. */
export function dynamoShaped(channels: number): ModelProto {
  const b = createGraphBuilder({ name: 'main_graph', opset: 18 });
  const x = b.input('x', DataType.FLOAT, [2, 5, channels]);
  const wt = b.op('Transpose', [b.initializer('blocks.1.mlp.fc1.weight', float32Tensor(randomFloats(2 * channels * channels, 3, 0.1), [2 * channels, channels]))], { perm: attr.ints([1, 0]) }, { name: 'node_Transpose_0' });
  const h = b.op('MatMul', [x, wt], {}, { name: 'node_MatMul_1', metadata: { 'pkg.torch.onnx.name_scopes': "['', 'blocks.1', 'blocks.1.mlp', 'blocks.1.mlp.fc1', 'linear']" } });
  const w2 = b.initializer('val_42', float32Tensor(randomFloats(2 * channels * channels, 4, 0.1), [channels, 2 * channels]));
  const y = b.op('Gemm', [b.op('Reshape', [h, b.constant(int64Tensor([-1, 2 * channels]))]), w2], { transB: attr.int(1) }, {
    name: 'node_Gemm_2',
    metadata: { 'pkg.torch.onnx.name_scopes': "['', 'blocks.1', 'blocks.1.mlp', 'blocks.1.mlp.fc2', 'linear_1']" },
  });
  b.output(y, DataType.FLOAT, [10, channels]);
  return b.build();
}

/** A graph with a 4-bit `MatMulNBits` (com.microsoft) projection named like a quantized community export. */
export function matMulNBitsModel(k: number, n: number, blockSize = 32): ModelProto {
  const b = createGraphBuilder({ name: 'nbits', opset: 21, domains: { 'com.microsoft': 1 } });
  const x = b.input('hidden_states', DataType.FLOAT, ['batch', 'seq', k]);
  const blocks = Math.ceil(k / blockSize);
  const packed = new Uint8Array(n * blocks * (blockSize / 2));
  const next = seeded(11);
  for (let i = 0; i < packed.length; i++) packed[i] = Math.floor((next() + 1) * 128) & 0xff;
  const scope = b.scope('single_transformer_blocks.0').scope('attn').scope('to_out');
  const y = scope.node('MatMulNBits', [x, b.initializer('single_transformer_blocks.0.attn.to_out.weight_Q4', rawTensor(DataType.UINT8, [n, blocks, blockSize / 2], packed)), b.initializer('single_transformer_blocks.0.attn.to_out.weight_scales', float32Tensor(randomFloats(n * blocks, 12, 0.01)))], {
    domain: 'com.microsoft',
    attributes: { K: attr.int(k), N: attr.int(n), bits: attr.int(4), block_size: attr.int(blockSize) },
  })[0] as string;
  b.output(y, DataType.FLOAT, ['batch', 'seq', n]);
  return b.build();
}

/** Runs a model on the CPU execution provider and returns all outputs. */
export async function runModel(model: ModelProto | Uint8Array | string, feeds: Record<string, ort.Tensor>, options: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, ort.Tensor>> {
  const source = typeof model === 'string' || model instanceof Uint8Array ? model : encodeModel(model);
  const session = typeof source === 'string' ? await ort.InferenceSession.create(source, { executionProviders: ['cpu'], ...options }) : await ort.InferenceSession.create(source, { executionProviders: ['cpu'], ...options });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** A float32 ORT tensor. */
export function f32(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Per-sample RMS over tokens [t0, t1) and each `unit` channels of [c0, c1) of x [batch, seq, width], in float64. */
export function referenceRms(x: ArrayLike<number>, dims: readonly number[], unit: number, channels?: [number, number], tokens?: [number, number]): Float64Array {
  const [batch, seq, width] = dims as [number, number, number];
  const [c0, c1] = channels ?? [0, width];
  const [t0, t1] = tokens ?? [0, seq];
  const units = (c1 - c0) / unit;
  const out = new Float64Array(batch * units);
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < units; u++) {
      let sum = 0;
      for (let t = t0; t < Math.min(t1, seq); t++) {
        for (let c = c0 + u * unit; c < c0 + (u + 1) * unit; c++) {
          const v = x[(b * seq + t) * width + c] as number;
          sum += v * v;
        }
      }
      out[b * units + u] = Math.sqrt(sum / ((Math.min(t1, seq) - t0) * unit));
    }
  }
  return out;
}

/** Largest relative difference |a - b| / max(|b|, floor). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-6): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / Math.max(Math.abs(e), floor));
  }
  return worst;
}
