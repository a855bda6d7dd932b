import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeFloats, decodeSafetensors, describeSafetensorsError, encodeSafetensors, fromFloat16Bits, readSafetensorsHeader, toFloat16Bits, type SafetensorsError } from '../src/index.js';

/** A safetensors file from a literal header object and `dataBytes` zero bytes of data. */
function fileWith(header: object, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** The error both readers give for the same bytes: the in-memory decoder and the file-header reader. */
async function bothReaders(bytes: Uint8Array): Promise<[SafetensorsError, SafetensorsError]> {
  const decoded = decodeSafetensors(bytes);
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'mp-st-')), 'x.safetensors');
  await writeFile(file, bytes);
  const header = await readSafetensorsHeader(file);
  if (E.isRight(decoded) || E.isRight(header)) throw new Error('expected both readers to refuse the file');
  return [decoded.left, header.left];
}

describe('safetensors', () => {
  it('round-trips tensors and metadata, with the header padded to 8 bytes', () => {
    const bytes = encodeSafetensors(new Map([['w', { dtype: 'F32', shape: [2], bytes: new Uint8Array(Float32Array.of(1.5, -2).buffer) }]]), { note: 'x' });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    if (E.isLeft(back)) throw new Error('did not decode');
    expect(back.right.metadata).toEqual({ note: 'x' });
    const w = back.right.tensors.get('w')!;
    expect(Array.from(decodeFloats(w.bytes, w.dtype, Float64Array)!)).toEqual([1.5, -2]);
  });

  it.each([
    ['a length that does not match shape and dtype', { t: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, 16, /holds 12 bytes but its shape and dtype need 16/],
    ['overlapping data_offsets', { x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, y: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, 16, /shares bytes with tensor "x"/],
    ['one tensor aliasing another', { x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, y: { dtype: 'I32', shape: [4], data_offsets: [0, 16] } }, 16, /shares bytes/],
    ['a tensor past the end of the file', { t: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, 16, null],
    ['an unknown dtype', { t: { dtype: 'Q4', shape: [2], data_offsets: [0, 1] } }, 16, /unsupported dtype "Q4"/],
    ['metadata that is not strings', { __metadata__: { n: 3 }, t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4, /__metadata__ is not an object of strings/],
  ])('refuses %s in memory and on disk alike', async (_name, header, dataBytes, reason) => {
    const [inMemory, onDisk] = await bothReaders(fileWith(header, dataBytes));
    expect(onDisk).toEqual(inMemory);
    if (reason) expect(describeSafetensorsError(inMemory).message).toMatch(reason);
    else expect(inMemory._tag).toBe('Truncated');
  });

  it('accepts zero-size tensors at the same offset (they share no bytes)', () => {
    const ok = decodeSafetensors(fileWith({ e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] }, f: { dtype: 'F32', shape: [0], data_offsets: [4, 4] }, g: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4));
    expect(E.isRight(ok)).toBe(true);
  });

  it('says a file is truncated before its header ends, and names an unreadable path', async () => {
    expect(decodeSafetensors(Uint8Array.of(1, 2, 3))).toEqual(E.left({ _tag: 'Truncated', needed: 8, actual: 3 }));
    expect(await readSafetensorsHeader('/no/such/file.safetensors')).toEqual(E.left({ _tag: 'Unreadable', path: '/no/such/file.safetensors', reason: 'ENOENT' }));
  });

  it('decodes little-endian F32 and F64 the same at aligned and unaligned byte offsets', () => {
    const values = [1.5, -0, Number.NaN, Infinity, -3.25e-7, 2 ** 100, 5e-324];
    for (const [dtype, width] of [['F32', 4], ['F64', 8]] as const) {
      const backing = new Uint8Array(values.length * width + 3);
      for (const shift of [0, 1, 3]) {
        const bytes = backing.subarray(shift, shift + values.length * width);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        values.forEach((v, i) => (width === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
        const expected = values.map((v) => (width === 4 ? Math.fround(v) : v));
        expect(Array.from(decodeFloats(bytes, dtype, Float64Array) ?? [])).toEqual(expected);
      }
    }
  });

  it('decodes F16 and BF16 bits exactly, subnormals and infinities included', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00, 0x3555]).buffer);
    expect(Array.from(decodeFloats(f16, 'F16', Float64Array)!)).toEqual([1, -2, 2 ** -24, Infinity, 0.333251953125]);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040, 0x3eab]).buffer);
    expect(Array.from(decodeFloats(bf16, 'BF16', Float64Array)!)).toEqual([1, -3, 0.333984375]);
  });
});

describe('float16 conversion', () => {
  it('rounds float32 to the nearest float16, ties to even, and converts back exactly', () => {
    expect(Array.from(fromFloat16Bits(toFloat16Bits(new Float32Array([1, 0.5, 65504, -(2 ** -24)]))))).toEqual([1, 0.5, 65504, -(2 ** -24)]);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(Array.from(toFloat16Bits(Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000)))).toEqual([0x3c00, 0x3c02, 0x7c00]);
  });
});
