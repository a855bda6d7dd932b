import * as E from 'fp-ts/lib/Either.js';
import { createPrng, decodeActivations, encodeActivations, encodeSafetensors, toFloat16Bits, type Activations, type SafetensorsDtype } from '@moral-plantain/formats';
import { describe, expect, it } from 'vitest';
import { testActivations } from '../src/index.js';

const nPairs = 10;
const nUnits = 6;

/** a - b = 0.3 in exact arithmetic for every unit; stored rounded, a and b leave a spread near their precision. */
function constantDifference(): { a: Float32Array; b: Float32Array } {
  const prng = createPrng(8);
  const x = Float32Array.from({ length: nPairs * nUnits }, () => 0.5 + prng.nextUint32() / 2 ** 32);
  return { a: x, b: x.map((v) => v - 0.3) };
}

/** The top 16 bits of float32 values, rounded to nearest even: bfloat16. */
function toBfloat16Bits(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Uint16Array.from(words, (w) => (w + 0x7fff + ((w >>> 16) & 1)) >>> 16);
}

function stored(values: Float32Array, dtype: SafetensorsDtype): { dtype: SafetensorsDtype; shape: number[]; bytes: Uint8Array } {
  const data = dtype === 'F16' ? toFloat16Bits(values) : dtype === 'BF16' ? toBfloat16Bits(values) : dtype === 'F64' ? Float64Array.from(values) : values;
  return { dtype, shape: [nPairs, nUnits], bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function read(bytes: Uint8Array): Activations {
  const decoded = decodeActivations(bytes);
  if (E.isLeft(decoded)) throw new Error(JSON.stringify(decoded.left));
  return decoded.right;
}

async function zeroVarianceUnits(activations: Activations): Promise<number> {
  const out = await testActivations(activations, { permutations: 50, splits: 0, workers: 1 })();
  if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
  return out.right.results.zeroVarianceUnits;
}

describe('testActivations', () => {
  it.each(['F16', 'BF16'] as const)('judges zero variance at the precision of %s tensors, not of the float64 values they are read into', async (dtype) => {
    const { a, b } = constantDifference();
    const narrow = read(encodeSafetensors(new Map([['a', stored(a, dtype)], ['b', stored(b, dtype)]])));
    expect(narrow.dtype).toBe(dtype);
    expect(await zeroVarianceUnits(narrow)).toBe(nUnits);
    // The very same values stored as float32 are exact as given: their spread is real there.
    const f32 = (x: Float64Array) => stored(Float32Array.from(x), 'F32');
    const wide = read(encodeSafetensors(new Map([['a', f32(narrow.a.data)], ['b', f32(narrow.b.data)]])));
    expect(wide.dtype).toBe('F32');
    expect(await zeroVarianceUnits(wide)).toBe(0);
  });

  it('takes the coarser precision when a and b are stored in different types', async () => {
    const { a, b } = constantDifference();
    const mixed = read(encodeSafetensors(new Map([['a', stored(a, 'F32')], ['b', stored(b, 'BF16')]])));
    expect(mixed.dtype).toBe('BF16');
    expect(await zeroVarianceUnits(mixed)).toBe(nUnits);
  });

  it('adds where each unit comes from to the unit columns when the file embeds its taps manifest, and nothing otherwise', async () => {
    const prng = createPrng(2);
    const a = Array.from({ length: nPairs * nUnits }, () => prng.nextUint32() / 2 ** 32);
    const b = a.map((x, i) => x * 0.9 + (i % 3) * 0.01);
    const taps = {
      format: 'moral-plantain/taps@1',
      unitWidth: 4,
      totalUnits: 6,
      taps: [
        { module: 'blocks.0.attn.out', output: 'tap/0', node: 'n0', width: 8, units: 2, offset: 0, group: 'joint[0]', channels: [0, 8] as const, tokens: null },
        { module: 'blocks.1.attn.out', output: 'tap/1', node: 'n1', width: 24, units: 4, offset: 2, group: 'single[0]', channels: [8, 24] as const, tokens: null },
      ],
    };
    const withTaps = read(encodeActivations({ nPairs, nUnits, a, b, pairs: null, groups: null, taps, metadata: {} }));
    const out = await testActivations(withTaps, { permutations: 50, splits: 0, workers: 1 })();
    if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
    expect(out.right.results.units).toMatchObject({
      module: ['blocks.0.attn.out', 'blocks.0.attn.out', 'blocks.1.attn.out', 'blocks.1.attn.out', 'blocks.1.attn.out', 'blocks.1.attn.out'],
      block: ['joint[0]', 'joint[0]', 'single[0]', 'single[0]', 'single[0]', 'single[0]'],
      indexInBlock: [0, 1, 0, 1, 2, 3],
      channelStart: [0, 4, 8, 12, 16, 20],
      channelEnd: [4, 8, 12, 16, 20, 24],
    });
    const without = read(encodeActivations({ nPairs, nUnits, a, b, pairs: null, groups: null, metadata: {} }));
    const plain = await testActivations(without, { permutations: 50, splits: 0, workers: 1 })();
    if (E.isLeft(plain)) throw new Error(JSON.stringify(plain.left));
    expect(Object.keys(plain.right.results.units)).toEqual(['t', 'd', 'meanDiff', 'sdDiff', 'pPermutation', 'pFwer', 'qFdr']);
  });
});
