import * as E from 'fp-ts/lib/Either.js';
import { fromBfloat16Bits, fromFloat16Bits } from '../numbers/float16.js';
import { DTYPE_BYTES, type SafetensorsDtype } from './safetensors-dtype.js';
import type { SafetensorsError } from './safetensors-error.js';
import { parseSafetensorsHeader, readHeaderLength } from './safetensors-header.js';

/** One tensor of a safetensors file: its raw little-endian bytes, not copied. */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** A decoded safetensors file. */
export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Decodes a safetensors buffer (8-byte little-endian header length, JSON header, data) without copying the data. */
export function decodeSafetensors(buffer: Uint8Array): E.Either<SafetensorsError, SafetensorsFile> {
  const length = readHeaderLength(buffer, buffer.length);
  if (E.isLeft(length)) return length;
  const header = parseSafetensorsHeader(buffer.subarray(8, 8 + length.right), buffer.length);
  if (E.isLeft(header)) return header;
  const data = buffer.subarray(header.right.dataStart);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, t] of header.right.tensors) tensors.set(name, { dtype: t.dtype, shape: t.shape, bytes: data.subarray(t.begin, t.end) });
  return E.right({ tensors, metadata: header.right.metadata });
}

/** Encodes tensors and string metadata as a safetensors buffer (header padded to 8 bytes, tensors in order). */
export function encodeSafetensors(tensors: ReadonlyMap<string, SafetensorsTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors.values()) {
    out.set(t.bytes, at);
    at += t.bytes.length;
  }
  return out;
}

/** Whether typed arrays here read little-endian bytes as they are (then aligned tensors are read as views). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A tensor's values as float64 (F64, F32, F16 and BF16 only); `null` for other dtypes. */
export function tensorToFloat64(t: SafetensorsTensor): Float64Array | null {
  return decodeFloats(t.bytes, t.dtype, Float64Array);
}

/** Little-endian F64/F32/F16/BF16 bytes as a new float array of the given kind; `null` for other dtypes. */
export function decodeFloats<T extends Float32Array | Float64Array>(bytes: Uint8Array, dtype: SafetensorsDtype, Kind: { new (length: number): T }): T | null {
  const count = bytes.length / DTYPE_BYTES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Kind(count);
  switch (dtype) {
    case 'F64':
      if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 8 === 0) out.set(new Float64Array(bytes.buffer, bytes.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case 'F32':
      if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F16':
    case 'BF16': {
      const bits = new Uint16Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true);
      out.set(dtype === 'F16' ? fromFloat16Bits(bits) : fromBfloat16Bits(bits));
      return out;
    }
    default:
      return null;
  }
}
