import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { decodeActivations, describeActivationsError, encodeActivations, readActivations, unitOrigins, writeActivations } from '../src/index.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const expected = JSON.parse(await readFile(new URL('activations-expected.json', fixtures), 'utf8')) as {
  nPairs: number; nUnits: number; a: number[]; b: number[]; a32: number[]; b32: number[]; groups: string[];
};

describe('activations files', () => {
  it('reads float64 and float32 files written from the safetensors spec by NumPy, as ndarray views', async () => {
    const f64 = await readActivations(new URL('activations-f64.safetensors', fixtures).pathname)();
    const f32 = await readActivations(new URL('activations-f32.safetensors', fixtures).pathname)();
    if (E.isLeft(f64) || E.isLeft(f32)) throw new Error('fixture did not decode');
    expect(Array.from(f64.right.a.data)).toEqual(expected.a);
    expect(Array.from(f64.right.b.data)).toEqual(expected.b);
    expect(Array.from(f32.right.a.data)).toEqual(expected.a32);
    expect(f64.right.a.shape).toEqual([6, 10]);
    expect(f64.right.a.stride).toEqual([10, 1]);
    // Element [pair 2, unit 7] through the ndarray API is row 2, column 7 of the row-major data.
    expect(f64.right.b.get(2, 7)).toBe(expected.b[2 * 10 + 7]);
    expect(f32.right).toMatchObject({ nPairs: 6, nUnits: 10, groups: expected.groups, metadata: { model: 'fixture' } });
    expect(f32.right.pairs).toEqual(['pair-00', 'pair-01', 'pair-02', 'pair-03', 'pair-04', 'pair-05']);
  });

  it('round-trips through the writer as float32 with its metadata', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-act-'));
    const file = path.join(dir, 'activations.safetensors');
    await writeActivations(file, { nPairs: 2, nUnits: 3, a: [1, 2, 3, 4, 5, 6], b: [0.5, 0.25, 0, 1, 1, 1], pairs: ['x', 'y'], groups: ['g', 'g', 'h'], metadata: { seed: '0' } });
    expect(await readdir(dir)).toEqual(['activations.safetensors']);
    const back = await readActivations(file)();
    if (E.isLeft(back)) throw new Error('did not read back');
    expect(Array.from(back.right.a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(back.right.b.data)).toEqual([0.5, 0.25, 0, 1, 1, 1]);
    expect(back.right).toMatchObject({ nPairs: 2, nUnits: 3, pairs: ['x', 'y'], groups: ['g', 'g', 'h'], metadata: { seed: '0' } });
    // The header is padded to a multiple of 8 bytes so float data stays aligned.
    const bytes = await readFile(file);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0);
  });

  it('writes a strided ndarray (a transposed view) in row-major order', () => {
    // units x pairs storage, viewed as [pairs, units] through transpose: element [p, u] = 10 p + u.
    const stored = ndarray(Float64Array.from({ length: 6 }, (_, i) => 10 * (i % 2) + Math.floor(i / 2)), [3, 2]).transpose(1, 0);
    const bytes = encodeActivations({ nPairs: 2, nUnits: 3, a: stored, b: [0, 0, 0, 0, 0, 0], pairs: null, groups: null, metadata: {} });
    const back = decodeActivations(bytes);
    if (E.isLeft(back)) throw new Error('did not decode');
    expect(Array.from(back.right.a.data)).toEqual([0, 1, 2, 10, 11, 12]);
  });

  it('explains truncated files, missing tensors, mismatched shapes and foreign formats', () => {
    const good = encodeActivations({ nPairs: 2, nUnits: 2, a: [1, 2, 3, 4], b: [1, 2, 3, 4], pairs: null, groups: null, metadata: {} });
    const message = (bytes: Uint8Array) => {
      const out = decodeActivations(bytes);
      if (E.isRight(out)) throw new Error('expected an error');
      return describeActivationsError(out.left).message;
    };
    expect(message(good.subarray(0, good.length - 3))).toMatch(/^Not a valid safetensors file: The safetensors file is truncated/);
    expect(message(new TextEncoder().encode('not a safetensors file at all'))).toMatch(/^Not a valid safetensors file/);
    const header = (h: object) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + 64);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    expect(message(header({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }))).toBe('The file has no tensor "b" (it has: a).');
    expect(message(header({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2, 1], data_offsets: [16, 24] } }))).toBe(
      'Tensors a and b differ in shape: [2, 2] vs [2, 1].',
    );
    const tiny = { a: { dtype: 'F32', shape: [1, 1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1, 1], data_offsets: [4, 8] } };
    // Another moral-plantain file (a probe cache entry) is refused; other tools' format tags are not ours to judge.
    expect(message(header({ __metadata__: { format: 'moral-plantain/probe-cache@1' }, ...tiny }))).toBe(
      'Metadata "format" is "moral-plantain/probe-cache@1", expected moral-plantain/activations@1.',
    );
    expect(message(header({ ...tiny, a: { dtype: 'I32', shape: [1, 1], data_offsets: [0, 4] } }))).toBe('Tensor "a" has dtype I32 (expected F32, F64, F16 or BF16).');
  });
});

describe('activations files saved by other tools', () => {
  const saved = expected as unknown as { saved: Record<string, { dtype: string; a: number[]; b: number[]; metadata: Record<string, string> }> };

  it.each(Object.entries(saved.saved))('reads %s (numpy / torch conventions) exactly, at the precision it stores', async (name, want) => {
    const read = await readActivations(new URL(name, fixtures).pathname)();
    if (E.isLeft(read)) throw new Error(describeActivationsError(read.left).message);
    expect(read.right.dtype).toBe(want.dtype);
    expect(Array.from(read.right.a.data)).toEqual(want.a);
    expect(Array.from(read.right.b.data)).toEqual(want.b);
    // A foreign `format` ("np", "pt") is kept as metadata, not refused.
    expect(read.right.metadata).toEqual(want.metadata);
    expect(read.right).toMatchObject({ nPairs: 6, nUnits: 10, pairs: null, groups: null, taps: null });
  });
});

describe('the taps manifest in activations metadata', () => {
  const taps = {
    format: 'moral-plantain/taps@1',
    unitWidth: 4,
    totalUnits: 5,
    taps: [
      { module: 'transformer_blocks.0.attn.to_out.0', output: 'tap/0', node: 'n0', width: 8, units: 2, offset: 0, group: 'joint[0]', channels: [0, 8] as const, tokens: null },
      { module: 'single_transformer_blocks.0.attn.to_out', output: 'tap/1', node: 'n1', width: 24, units: 3, offset: 2, group: 'single[0]', channels: [4, 16] as const, tokens: [0, 7] as const },
    ],
  };
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const write = (metadata: Record<string, string>, withTaps: object | null) =>
    encodeActivations({ nPairs: 2, nUnits: 5, a: values, b: values, pairs: null, groups: null, metadata, ...(withTaps ? { taps: withTaps as typeof taps } : {}) });

  it('is embedded whole as JSON under "taps", read back, and gives each unit its module, block, index and channels', () => {
    const bytes = write({}, taps);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(JSON.parse(header.__metadata__.taps)).toEqual(taps);
    const read = decodeActivations(bytes);
    if (E.isLeft(read)) throw new Error('did not decode');
    expect(read.right.taps).toEqual(taps);
    expect(read.right.metadata).toEqual({});
    expect(unitOrigins(read.right.taps!)).toEqual({
      module: ['transformer_blocks.0.attn.to_out.0', 'transformer_blocks.0.attn.to_out.0', 'single_transformer_blocks.0.attn.to_out', 'single_transformer_blocks.0.attn.to_out', 'single_transformer_blocks.0.attn.to_out'],
      block: ['joint[0]', 'joint[0]', 'single[0]', 'single[0]', 'single[0]'],
      indexInBlock: [0, 1, 0, 1, 2],
      channelStart: [0, 4, 4, 8, 12],
      channelEnd: [4, 8, 8, 12, 16],
    });
  });

  it('counts a unit index across the layers of one block', () => {
    const twoLayers = { ...taps, taps: [taps.taps[0], { ...taps.taps[1], group: 'joint[0]' }] };
    const read = decodeActivations(write({}, twoLayers));
    if (E.isLeft(read)) throw new Error('did not decode');
    expect(unitOrigins(read.right.taps!).indexInBlock).toEqual([0, 1, 2, 3, 4]);
  });

  it('leaves another tool\'s "taps" entry alone as metadata', () => {
    const read = decodeActivations(write({ taps: 'layer 3, layer 7' }, null));
    if (E.isLeft(read)) throw new Error('did not decode');
    expect(read.right.taps).toBeNull();
    expect(read.right.metadata).toEqual({ taps: 'layer 3, layer 7' });
  });

  it.each([
    ['a different unit count', { ...taps, totalUnits: 6 }, /describes 6 units for 5 in the tensors/],
    ['a gap between taps', { ...taps, taps: [taps.taps[0], { ...taps.taps[1], offset: 3 }] }, /taps\[1\] starts at unit 3, expected 2/],
    ['channels that do not hold its units', { ...taps, taps: [taps.taps[0], { ...taps.taps[1], channels: [0, 8] }] }, /taps\[1\] has channels 0:8 for 3 units of 4/],
    ['a later manifest version', { ...taps, format: 'moral-plantain/taps@2' }, /is a moral-plantain\/taps@2 manifest; this version reads moral-plantain\/taps@1/],
  ])('refuses a moral-plantain manifest with %s', (_name, bad, pattern) => {
    const read = decodeActivations(write({}, bad));
    if (E.isRight(read)) throw new Error('expected an error');
    expect(describeActivationsError(read.left).message).toMatch(/^Metadata "taps" /);
    expect(describeActivationsError(read.left).message).toMatch(pattern);
  });
});
