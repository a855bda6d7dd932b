import * as E from 'fp-ts/lib/Either.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from '@moral-plantain/onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { toFloat16Bits } from '@moral-plantain/formats';
import { ablationFeeds, decodeModel, encodeModel, insertTaps, type HooksErrors, type TapOptions, type TappedModel } from '../src/index.js';
import { dynamoShaped, f32, flux2Stack, matMulNBitsModel, maxRelativeError, randomFloats, referenceRms, runModel, torchScriptShaped } from './test-models.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function tapped(model: Parameters<typeof insertTaps>[0], options: TapOptions): TappedModel {
  const result = insertTaps(model, options);
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

function problems(model: Parameters<typeof insertTaps>[0], options: TapOptions): HooksErrors {
  const result = insertTaps(model, options);
  if (E.isRight(result)) throw new Error('expected the tap options to be rejected');
  return result.left;
}

const C = 32;
const dims = [2, 7, C];
const hidden = randomFloats(dims[0]! * dims[1]! * C, 99);

describe('insertTaps on a FLUX.2-shaped stack', () => {
  it('selects flux2 joint then single blocks in numeric block order with their groups', () => {
    const { manifest } = tapped(flux2Stack({ channels: C, joint: 2, single: 12 }), { preset: 'flux2' });
    expect(manifest.taps.map((t) => t.group)).toEqual(['joint[0]', 'joint[1]', ...Array.from({ length: 12 }, (_, i) => `single[${i}]`)]);
    expect(manifest.taps.map((t) => t.width)).toEqual([C, C, ...Array(12).fill(4 * C)]);
    expect(manifest.taps.map((t) => t.units)).toEqual([2, 2, ...Array(12).fill(8)]);
    expect(manifest.taps.map((t) => t.offset)).toEqual([0, 2, 4, 12, 20, 28, 36, 44, 52, 60, 68, 76, 84, 92]);
    expect(manifest).toMatchObject({ format: 'moral-plantain/taps@1', unitWidth: 16, totalUnits: 100 });
  });

  it('computes per-sample, per-unit RMS over all tokens equal to the RMS of the raw input', async () => {
    const { model, manifest } = tapped(flux2Stack({ channels: C, joint: 2, single: 2 }), { preset: 'flux2', raw: true });
    const out = await runModel(model, { hidden_states: f32(hidden, dims) });
    for (const tap of manifest.taps) {
      const raw = out[tap.raw as string] as ort.Tensor;
      const rms = out[tap.output] as ort.Tensor;
      expect(rms.dims).toEqual([2, tap.units]);
      expect(rms.type).toBe('float32');
      expect(maxRelativeError(rms.data as Float32Array, referenceRms(raw.data as Float32Array, raw.dims, 16))).toBeLessThan(1e-5);
    }
  });

  it('computes the RMS of the graph input directly when the tapped layer reads it', async () => {
    const { model, manifest } = tapped(flux2Stack({ channels: C, joint: 1, single: 0 }), { select: ['transformer_blocks.0.attn.to_v'], unitWidth: 8 });
    const out = await runModel(model, { hidden_states: f32(hidden, dims) });
    const rms = out[manifest.taps[0]!.output]!.data as Float32Array;
    expect(maxRelativeError(rms, referenceRms(hidden, dims, 8))).toBeLessThan(1e-5);
  });

  it('restricts the RMS to a channel range and a token range', async () => {
    const { model, manifest } = tapped(flux2Stack({ channels: C, joint: 1, single: 0 }), {
      select: ['transformer_blocks.0.attn.to_v'],
      unitWidth: 4,
      channels: { start: 8, end: 24 },
      tokens: { start: 2, end: 5 },
    });
    expect(manifest.taps[0]).toMatchObject({ units: 4, channels: [8, 24], tokens: [2, 5] });
    const out = await runModel(model, { hidden_states: f32(hidden, dims) });
    const rms = out[manifest.taps[0]!.output]!.data as Float32Array;
    expect(maxRelativeError(rms, referenceRms(hidden, dims, 4, [8, 24], [2, 5]))).toBeLessThan(1e-5);
  });

  it('gives each tapped layer its own token range when asked, per group', async () => {
    const { model, manifest } = tapped(flux2Stack({ channels: C, joint: 1, single: 1 }), {
      preset: 'flux2',
      raw: true,
      tokens: (layer) => (layer.group.startsWith('joint') ? { start: 0, end: 3 } : undefined),
    });
    expect(manifest.taps.map((t) => [t.group, t.tokens])).toEqual([
      ['joint[0]', [0, 3]],
      ['single[0]', null],
    ]);
    const out = await runModel(model, { hidden_states: f32(hidden, dims) });
    for (const tap of manifest.taps) {
      const raw = out[tap.raw as string] as ort.Tensor;
      const expected = referenceRms(raw.data as Float32Array, raw.dims, 16, undefined, tap.tokens ? [tap.tokens[0], tap.tokens[1]] : undefined);
      expect(maxRelativeError(out[tap.output]!.data as Float32Array, expected)).toBeLessThan(1e-5);
    }
    const bad = problems(flux2Stack({ channels: C, joint: 1, single: 0 }), { preset: 'flux2', tokens: () => ({ start: 4, end: 4 }) });
    expect(bad.map((e) => e._tag)).toEqual(['InvalidOption']);
  });

  it('leaves the original output bit-identical to the untapped model', async () => {
    const original = flux2Stack({ channels: C, joint: 2, single: 3 });
    const untapped = await runModel(encodeModel(original), { hidden_states: f32(hidden, dims) });
    const { model, manifest } = tapped(original, { preset: 'flux2', ablation: true });
    const ones = Object.fromEntries(Object.entries(ablationFeeds(manifest)).map(([name, v]) => [name, f32(v, [v.length])]));
    const withTaps = await runModel(model, { hidden_states: f32(hidden, dims), ...ones });
    expect(Buffer.from((withTaps.output!.data as Float32Array).buffer).equals(Buffer.from((untapped.output!.data as Float32Array).buffer))).toBe(true);
  });

  it('keeps the taps in the graph ONNX Runtime writes after optimizing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hooks-opt-'));
    dirs.push(dir);
    const optimized = path.join(dir, 'optimized.onnx');
    const { model, manifest } = tapped(flux2Stack({ channels: C, joint: 2, single: 2 }), { preset: 'flux2' });
    const out = await runModel(model, { hidden_states: f32(hidden, dims) }, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized });
    const written = decodeModel(new Uint8Array(await readFile(optimized)));
    if (E.isLeft(written)) throw new Error('optimized model unreadable');
    const outputs = written.right.graph!.output.map((o) => o.name);
    for (const tap of manifest.taps) {
      expect(outputs).toContain(tap.output);
      expect(out[tap.output]!.dims).toEqual([2, tap.units]);
    }
    const produced = new Set(written.right.graph!.node.flatMap((n) => n.output));
    for (const tap of manifest.taps) expect(produced.has(tap.output)).toBe(true);
    expect(written.right.graph!.node.filter((n) => n.name.startsWith('/taps/')).length).toBeGreaterThan(manifest.taps.length * 5);
  });

  it('accumulates float16 models in float32', async () => {
    const model = flux2Stack({ channels: C, joint: 1, single: 1, float16: true });
    const { manifest } = tapped(model, { preset: 'flux2', raw: true });
    const halfInput = new ort.Tensor('float16', toFloat16Bits(hidden.map((v) => v * 300)), dims);
    const out = await runModel(model, { hidden_states: halfInput });
    for (const tap of manifest.taps) {
      const raw = out[tap.raw as string]!;
      expect(raw.type).toBe('float32');
      expect(out[tap.output]!.type).toBe('float32');
      expect(maxRelativeError(out[tap.output]!.data as Float32Array, referenceRms(raw.data as Float32Array, raw.dims, 16))).toBeLessThan(1e-5);
    }
  });

  it('scales units of a projection input through the ablation input; ones change nothing', async () => {
    const original = flux2Stack({ channels: C, joint: 1, single: 0 });
    const baseline = await runModel(encodeModel(original), { hidden_states: f32(hidden, dims) });
    const { model, manifest } = tapped(original, { select: ['transformer_blocks.0.attn.to_v'], ablation: true, raw: true });
    const tap = manifest.taps[0]!;
    expect(tap.scaleInput).toBe('scale/transformer_blocks.0.attn.to_v');
    const scale = new Float32Array(tap.units).fill(1);
    scale[1] = 0;
    const ablated = await runModel(model, { hidden_states: f32(hidden, dims), [tap.scaleInput as string]: f32(scale, [tap.units]) });
    const raw = ablated[tap.raw as string]!.data as Float32Array;
    expect(Array.from(raw, (v) => v + 0)).toEqual(Array.from(hidden, (v, i) => (i % C >= 16 ? 0 : v)));
    expect(Array.from(ablated[tap.output]!.data as Float32Array).filter((_, i) => i % 2 === 1)).toEqual([0, 0]);
    const defaults = await runModel(model, { hidden_states: f32(hidden, dims), [tap.scaleInput as string]: f32(ablationFeeds(manifest)[tap.scaleInput as string]!, [tap.units]) });
    expect(Array.from(defaults.output!.data as Float32Array)).toEqual(Array.from(baseline.output!.data as Float32Array));
    expect(Array.from(ablated.output!.data as Float32Array)).not.toEqual(Array.from(baseline.output!.data as Float32Array));
  });
});

describe('per-sample scale inputs', () => {
  // Three samples, each with its own scales: one call runs three different patches.
  const B = 3;
  const x = randomFloats(B * 5 * C, 41);
  const xDims = [B, 5, C];

  it('scales each sample by its own row of scales, and the tap reads the scaled input', async () => {
    const original = flux2Stack({ channels: C, joint: 1, single: 1 });
    const { model, manifest } = tapped(original, { preset: 'flux2', ablation: 'per-sample', raw: true });
    const single = manifest.taps[1]!;
    expect(single).toMatchObject({ scaleInput: 'scale/single_transformer_blocks.0.attn.to_out', scalePerSample: true, units: 8 });
    const scales = Object.fromEntries(manifest.taps.map((tap) => [tap.scaleInput as string, randomFloats(B * tap.units, 7 + tap.offset).map((v) => 1 + v)]));
    const out = await runModel(model, { hidden_states: f32(x, xDims), ...Object.fromEntries(manifest.taps.map((tap) => [tap.scaleInput as string, f32(scales[tap.scaleInput as string]!, [B, tap.units])])) });
    // Sample by sample, a shared-scale model fed that sample's row gives the same numbers.
    const shared = tapped(flux2Stack({ channels: C, joint: 1, single: 1 }), { preset: 'flux2', ablation: true, raw: true });
    for (let b = 0; b < B; b++) {
      const row = await runModel(shared.model, {
        hidden_states: f32(x.subarray(b * 5 * C, (b + 1) * 5 * C), [1, 5, C]),
        ...Object.fromEntries(manifest.taps.map((tap) => [tap.scaleInput as string, f32(scales[tap.scaleInput as string]!.subarray(b * tap.units, (b + 1) * tap.units), [tap.units])])),
      });
      const sample = (tensor: ort.Tensor) => (tensor.data as Float32Array).subarray((b * tensor.data.length) / B, ((b + 1) * tensor.data.length) / B);
      expect(maxRelativeError(sample(out.output!), row.output!.data as Float32Array)).toBeLessThan(1e-5);
      for (const tap of manifest.taps) expect(maxRelativeError(sample(out[tap.output]!), row[tap.output]!.data as Float32Array)).toBeLessThan(1e-5);
    }
    // The tap is the RMS of the scaled input: the raw input scaled per unit, directly.
    const raw = out[single.raw as string]!;
    expect(maxRelativeError(out[single.output]!.data as Float32Array, referenceRms(raw.data as Float32Array, raw.dims, 16))).toBeLessThan(1e-5);
  });

  it('leaves channels outside the tapped range unscaled, and ones change nothing bit for bit', async () => {
    const original = flux2Stack({ channels: C, joint: 1, single: 1 });
    const baseline = await runModel(encodeModel(original), { hidden_states: f32(x, xDims) });
    const { model, manifest } = tapped(original, { select: ['single_transformer_blocks.0.attn.to_out'], ablation: 'per-sample', raw: true, channels: { start: 16, end: 48 } });
    const tap = manifest.taps[0]!;
    expect(tap.units).toBe(2);
    const ones = ablationFeeds(manifest, {}, B)[tap.scaleInput as string]!;
    expect(ones.length).toBe(B * 2);
    const same = await runModel(model, { hidden_states: f32(x, xDims), [tap.scaleInput as string]: f32(ones, [B, 2]) });
    expect(Buffer.from((same.output!.data as Float32Array).buffer).equals(Buffer.from((baseline.output!.data as Float32Array).buffer))).toBe(true);
    // Sample 1 zeroes its second unit (channels 32 to 47); the others keep every channel.
    const scale = Float32Array.from([1, 1, 1, 0, 1, 1]);
    const ablated = await runModel(model, { hidden_states: f32(x, xDims), [tap.scaleInput as string]: f32(scale, [B, 2]) });
    const before = same[tap.raw as string]!.data as Float32Array;
    const after = ablated[tap.raw as string]!.data as Float32Array;
    const width = 4 * C;
    for (let i = 0; i < after.length; i++) {
      const sample = Math.floor(i / (5 * width));
      const channel = i % width;
      expect(after[i]! + 0).toBe(sample === 1 && channel >= 32 && channel < 48 ? 0 : before[i]);
    }
  });
});

describe('insertTaps on exported graphs', () => {
  it('taps a TorchScript-shaped opset 17 graph with anonymous weights', async () => {
    const model = torchScriptShaped(C);
    const { manifest } = tapped(model, { select: ['transformer_blocks.*.attn.to_out.0'], raw: true });
    expect(manifest.taps[0]).toMatchObject({ module: 'transformer_blocks.0.attn.to_out.0', node: '/transformer_blocks.0/attn/to_out.0/MatMul', width: C, group: 'transformer_blocks.0.attn.to_out.0' });
    const out = await runModel(model, { hidden_states: f32(hidden, dims) });
    const expected = referenceRms(hidden.map((v) => Math.max(v, 0)), dims, 16);
    expect(maxRelativeError(out[manifest.taps[0]!.output]!.data as Float32Array, expected)).toBeLessThan(1e-5);
  });

  it('taps a 2-D Gemm input of a dynamo-shaped graph per row', async () => {
    const model = dynamoShaped(8);
    const { manifest } = tapped(model, { select: ['blocks.1.mlp.fc2'], unitWidth: 4, raw: true });
    expect(manifest.taps[0]).toMatchObject({ module: 'blocks.1.mlp.fc2', width: 16, units: 4 });
    const x = randomFloats(2 * 5 * 8, 17);
    const out = await runModel(model, { x: f32(x, [2, 5, 8]) });
    const raw = out[manifest.taps[0]!.raw as string]!;
    expect(raw.dims).toEqual([10, 16]);
    const perRow = referenceRms(raw.data as Float32Array, [10, 1, 16], 4);
    expect(out[manifest.taps[0]!.output]!.dims).toEqual([10, 4]);
    expect(maxRelativeError(out[manifest.taps[0]!.output]!.data as Float32Array, perRow)).toBeLessThan(1e-5);
  });

  it('taps the activation input of a 4-bit MatMulNBits projection', async () => {
    const model = matMulNBitsModel(64, 48);
    const { manifest } = tapped(model, { preset: 'flux2' });
    expect(manifest.taps[0]).toMatchObject({ module: 'single_transformer_blocks.0.attn.to_out', group: 'single[0]', width: 64, units: 4 });
    const x = randomFloats(2 * 3 * 64, 5);
    const out = await runModel(model, { hidden_states: f32(x, [2, 3, 64]) });
    expect(maxRelativeError(out[manifest.taps[0]!.output]!.data as Float32Array, referenceRms(x, [2, 3, 64], 16))).toBeLessThan(1e-5);
  });
});

describe('insertTaps option checks', () => {
  it('rejects a unit width that does not divide a tapped input, naming every offending layer', () => {
    const errors = problems(flux2Stack({ channels: C, joint: 2, single: 0 }), { preset: 'flux2', unitWidth: 12 });
    expect(errors.map((e) => e._tag)).toEqual(['UnitWidthDoesNotDivide', 'UnitWidthDoesNotDivide']);
    expect(errors[0]).toMatchObject({ module: 'transformer_blocks.0.attn.to_out.0', channels: C, unitWidth: 12 });
  });

  it('reports a bad unit width and a bad token range together', () => {
    const errors = problems(flux2Stack({ channels: C, joint: 1, single: 0 }), { preset: 'flux2', unitWidth: 0, tokens: { start: 5, end: 2 } });
    expect(errors.map((e) => e._tag)).toEqual(['InvalidOption', 'InvalidOption']);
  });

  it('rejects a channel range beyond the input width', () => {
    const errors = problems(flux2Stack({ channels: C, joint: 1, single: 0 }), { preset: 'flux2', channels: { start: 0, end: 64 } });
    expect(errors[0]).toMatchObject({ _tag: 'RangeOutOfBounds', what: 'channels', size: C });
  });

  it('rejects a selector that matches nothing and lists the nearest module paths', () => {
    const errors = problems(flux2Stack({ channels: C, joint: 2, single: 0 }), { select: ['transformer_blocks.*.attn.to_out'] });
    expect(errors[0]).toMatchObject({ _tag: 'SelectorMatchedNothing', selector: 'transformer_blocks.*.attn.to_out' });
    const first = errors[0];
    expect(first._tag === 'SelectorMatchedNothing' && first.nearest.slice(0, 2)).toEqual(['transformer_blocks.0.attn.to_out.0', 'transformer_blocks.1.attn.to_out.0']);
  });
});
