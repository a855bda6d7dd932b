import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { decodeModel, encodeModel, findLinearLayers, insertTaps, type ModelProto } from '@moral-plantain/hooks';
import { flux2Reference, type ReferenceWeights } from '@moral-plantain/references';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFlux2Transformer,
  buildFlux2TransformerFile,
  flux2ParameterShapes,
  flux2Presets,
  flux2TransformerSkeleton,
  flux2WeightBytes,
  isFlux2QuantizedLinear,
  type QuantizationOptions,
  type WeightSource,
} from '../../src/index.js';
import { flux2Feeds, flux2TestInputs, maxAbsDiff, seededWithNormWeights } from '../flux2/flux2-inputs.js';
import { dequantizedLinears } from './quantized-weights.js';

/** The linear layers a quantized FLUX.2 build keeps in float32, as community exports keep them: embedders, modulation, the output norm and projection. */
const FLOAT_LINEARS = [
  'time_guidance_embed.timestep_embedder.linear_1',
  'time_guidance_embed.timestep_embedder.linear_2',
  'double_stream_modulation_img.linear',
  'double_stream_modulation_txt.linear',
  'single_stream_modulation.linear',
  'x_embedder',
  'context_embedder',
  'norm_out.linear',
  'proj_out',
];

const tiny = flux2Presets.tiny;
const int8: QuantizationOptions = { bits: 8, blockSize: 128, symmetric: true };
const int4: QuantizationOptions = { bits: 4, blockSize: 32, symmetric: false };
// Tiny default grid (8 x 8 image tokens), 32 text tokens, two samples at different timesteps.
const inputs = flux2TestInputs(tiny, 2, 8, 32, [1.0, 0.37]);

async function built(quantization?: QuantizationOptions): Promise<ModelProto> {
  const result = await buildFlux2Transformer(tiny, seededWithNormWeights(11), quantization ? { quantization } : {});
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right.model;
}

async function noisePred(model: ModelProto | string): Promise<Float32Array> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'] };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(encodeModel(model), options);
  const out = (await session.run(flux2Feeds(tiny, inputs)))['noise_pred'] as ort.Tensor;
  await session.release();
  return out.data as Float32Array;
}

/** ||a - b|| / ||b||. */
function relativeRms(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2;
    norm += (b[i] as number) ** 2;
  }
  return Math.sqrt(diff / norm);
}

describe('a quantized FLUX.2 transformer', () => {
  let float: Float32Array;
  beforeAll(async () => {
    float = await noisePred(await built());
  });

  it.each([
    ['int8, blocks of 128, symmetric', int8],
    ['int4, blocks of 32, asymmetric', int4],
  ] as const)('%s: gives the direct forward pass of its dequantized weights to 1e-4', async (_name, quantization) => {
    const model = await built(quantization);
    // The reference reads each quantized weight back from the graph (operator's documentation), every other one from the seeded source.
    const dequantized = new Map(dequantizedLinears(model).map((l) => [l.weightName, Float32Array.from(l.dequantized.weight)]));
    const source = seededWithNormWeights(11);
    const weights: ReferenceWeights = { read: async (name, shape, init) => (dequantized.has(name) ? E.right(dequantized.get(name) as Float32Array) : source.read(name, shape, init)) };
    const reference = await flux2Reference(tiny, weights, inputs);
    expect(maxAbsDiff(await noisePred(model), reference.noisePred)).toBeLessThan(1e-4);
  });

  it('quantizes exactly the linear layers inside the blocks, named as ONNX Runtime\'s quantizer names them, and records them', async () => {
    const result = await buildFlux2Transformer(tiny, seededWithNormWeights(11), { quantization: int4 });
    if (E.isLeft(result)) throw new Error('build');
    const linears = flux2ParameterShapes(tiny).filter((p) => p.shape.length === 2).map((p) => p.name.replace(/\.weight$/u, ''));
    const inBlocks = linears.filter((m) => m.startsWith('transformer_blocks.') || m.startsWith('single_transformer_blocks.'));
    expect(inBlocks).toHaveLength(2 * 12 + 4 * 2);
    const nodes = dequantizedLinears(result.right.model);
    expect(nodes.map((l) => l.weightName).sort()).toEqual(inBlocks.map((m) => `${m}.weight`).sort());
    const names = new Set(result.right.model.graph?.initializer.map((t) => t.name));
    for (const m of inBlocks) {
      expect(names.has(`${m}.weight_Q4`) && names.has(`${m}.weight_scales`) && names.has(`${m}.weight_zero_points`), m).toBe(true);
      expect(names.has(`${m}.weight`), m).toBe(false);
    }
    expect(result.right.quantization).toEqual({
      op: 'MatMulNBits',
      bits: 4,
      blockSize: 32,
      symmetric: false,
      scaleType: 'float32',
      layers: [
        'transformer_blocks.*.attn.to_q',
        'transformer_blocks.*.attn.to_k',
        'transformer_blocks.*.attn.to_v',
        'transformer_blocks.*.attn.add_q_proj',
        'transformer_blocks.*.attn.add_k_proj',
        'transformer_blocks.*.attn.add_v_proj',
        'transformer_blocks.*.attn.to_out.0',
        'transformer_blocks.*.attn.to_add_out',
        'transformer_blocks.*.ff.linear_in',
        'transformer_blocks.*.ff.linear_out',
        'transformer_blocks.*.ff_context.linear_in',
        'transformer_blocks.*.ff_context.linear_out',
        'single_transformer_blocks.*.attn.to_qkv_mlp_proj',
        'single_transformer_blocks.*.attn.to_out',
      ],
      quantizedLinears: 32,
      floatLinears: FLOAT_LINEARS,
    });
    expect(linears.filter((m) => !isFlux2QuantizedLinear(m)).sort()).toEqual([...(result.right.quantization?.floatLinears ?? [])].sort());
  });

  it.each([
    { name: 'int8, blocks of 128', quantization: int8, tolerance: 0.01 },
    { name: 'int4, blocks of 32', quantization: int4, tolerance: 0.1 },
  ] as const)('$name: gives a noise_pred close to the float32 model\'s (relative RMS difference under $tolerance)', async ({ quantization, tolerance }) => {
    const quantized = await noisePred(await built(quantization));
    const difference = relativeRms(quantized, float);
    // A block's step is its largest |w| (about 2.9 sd for 128 normal weights) over 127.5 (int8), or its range
    // (about 4 sd for 32) over 15 (int4, asymmetric); each weight is off by a uniform error of rms
    // step / sqrt(12): about 0.7 % (int8) and 8 % (int4) of the weights' sd, and one layer's output moves by
    // as much, relative. Residual connections and the float layers at entry and exit about halve it for the
    // whole pass (measured here: int8 0.33 %, int4 4.3 %). The tolerances leave 3x and 2.3x of headroom.
    expect(difference).toBeLessThan(tolerance);
    expect(difference).toBeGreaterThan(0);
  });

  it('finds each quantized to_out with its module path and input width, and taps it without changing noise_pred', async () => {
    const model = await built(int8);
    const untapped = await noisePred(model);
    const layers = findLinearLayers(model);
    const toOut = layers.filter((l) => /\.attn\.to_out(\.0)?$/u.test(l.module));
    expect(toOut.map((l) => [l.module, l.op, l.inputWidth, l.moduleSource])).toEqual([
      ['transformer_blocks.0.attn.to_out.0', 'MatMulNBits', 64, 'weight-name'],
      ['transformer_blocks.1.attn.to_out.0', 'MatMulNBits', 64, 'weight-name'],
      ...[0, 1, 2, 3].map((n) => [`single_transformer_blocks.${n}.attn.to_out`, 'MatMulNBits', 256, 'weight-name']),
    ]);
    const tapped = insertTaps(model, { preset: 'flux2', unitWidth: 16 });
    if (E.isLeft(tapped)) throw new Error(JSON.stringify(tapped.left));
    expect(tapped.right.manifest.totalUnits).toBe(2 * 4 + 4 * 16);
    const session = await ort.InferenceSession.create(encodeModel(tapped.right.model), { executionProviders: ['cpu'] });
    const outputs = await session.run(flux2Feeds(tiny, inputs));
    await session.release();
    expect(Array.from((outputs['noise_pred'] as ort.Tensor).data as Float32Array)).toEqual(Array.from(untapped));
    for (const tap of tapped.right.manifest.taps) expect(((outputs[tap.output] as ort.Tensor).data as Float32Array).every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });

  it('lays out klein 4B quantized at full size (no weights): 100 MatMulNBits layers, 16,320 units of 16 channels', async () => {
    const skeleton = await flux2TransformerSkeleton(flux2Presets['klein-4b'], { quantization: { bits: 8, blockSize: 128, symmetric: true } });
    if (E.isLeft(skeleton)) throw new Error(JSON.stringify(skeleton.left));
    const layers = findLinearLayers(skeleton.right);
    expect(layers.filter((l) => l.op === 'MatMulNBits')).toHaveLength(5 * 12 + 20 * 2);
    expect(layers.filter((l) => l.op === 'MatMul').map((l) => l.module)).toEqual(FLOAT_LINEARS);
    const tapped = insertTaps(skeleton.right, { preset: 'flux2' });
    if (E.isLeft(tapped)) throw new Error(JSON.stringify(tapped.left));
    const { manifest } = tapped.right;
    expect(manifest.totalUnits).toBe(16_320);
    expect(manifest.taps.map((t) => `${t.group}:${t.width}`)).toEqual([
      ...[0, 1, 2, 3, 4].map((n) => `joint[${n}]:3072`),
      ...Array.from({ length: 20 }, (_, n) => `single[${n}]:12288`),
    ]);
    // int8 with float32 scales: about a quarter of the float32 size (the float layers are 5 % of it).
    const bytes = flux2WeightBytes(flux2Presets['klein-4b'], 'float32', { bits: 8, blockSize: 128, symmetric: true });
    expect(bytes / flux2WeightBytes(flux2Presets['klein-4b'])).toBeGreaterThan(0.25);
    expect(bytes / flux2WeightBytes(flux2Presets['klein-4b'])).toBeLessThan(0.32);
  });
});

describe('a quantized FLUX.2 transformer built into a file', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('quantizes each weight as it streams to transformer.onnx.data, and runs as the in-memory build does', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flux2-quantized-'));
    dirs.push(dir);
    const file = path.join(dir, 'transformer.onnx');
    // Before each read, the temporary data file already holds what every earlier read produced.
    const observed: number[] = [];
    const inner = seededWithNormWeights(11);
    const watching: WeightSource = {
      ...inner,
      read: async (name, shape, init) => {
        const temp = (await readdir(dir)).find((f) => f.endsWith('.tmp'));
        observed.push(temp ? (await stat(path.join(dir, temp))).size : 0);
        return inner.read(name, shape, init);
      },
    };
    const written = await buildFlux2TransformerFile(tiny, watching, { file, externalData: true, quantization: int4 });
    if (E.isLeft(written)) throw new Error(JSON.stringify(written.left));
    expect(observed.slice(1).every((size, i) => size > (observed[i] as number) || size === observed[i])).toBe(true);
    expect(observed.at(-1)).toBeGreaterThan(0);
    expect(written.right.quantization?.quantizedLinears).toBe(32);
    // Page-aligned tensors: the data file is the quantized weights plus padding, far below float32.
    expect(written.right.dataBytes).toBeGreaterThanOrEqual(flux2WeightBytes(tiny, 'float32', int4));
    expect(written.right.dataBytes).toBeLessThan(flux2WeightBytes(tiny) + 4096 * written.right.parameters.length * 3);
    const graph = decodeModel(await readFile(file));
    if (E.isLeft(graph)) throw new Error('decode');
    const external = graph.right.graph?.initializer.filter((t) => t.name.endsWith('_Q4')) ?? [];
    expect(external).toHaveLength(32);
    expect(external.every((t) => t.rawData.byteLength === 0 && t.externalData.some((e) => e.key === 'location' && e.value === 'transformer.onnx.data'))).toBe(true);
    expect(Array.from(await noisePred(file))).toEqual(Array.from(await noisePred(await built(int4))));
  });

  it('reports bad quantization options before reading any weight', async () => {
    let reads = 0;
    const source = seededWithNormWeights(1);
    const counting: WeightSource = { ...source, read: async (...args) => (reads++, source.read(...args)) };
    const result = await buildFlux2Transformer(tiny, counting, { quantization: { bits: 3 as 4, blockSize: 100, symmetric: true } });
    expect(E.isLeft(result) && result.left.map((e) => e._tag === 'InvalidQuantization' && e.option)).toEqual(['bits', 'blockSize']);
    expect(reads).toBe(0);
  });
});
