import * as E from 'fp-ts/lib/Either.js';

/** Element types of the safetensors format this library reads. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

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

/** Why bytes are not a valid safetensors file. */
export type SafetensorsError =
  | { readonly _tag: 'Truncated'; readonly needed: number; readonly actual: number }
  | { readonly _tag: 'BadHeader'; readonly reason: string }
  | { readonly _tag: 'BadTensor'; readonly tensor: string; readonly reason: string };

/** Largest header accepted (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/** Decodes a safetensors buffer (8-byte little-endian header size, JSON header, data) without copying data. */
export function decodeSafetensors(buffer: Uint8Array): E.Either<SafetensorsError, SafetensorsFile> {
  if (buffer.length < 8) return E.left({ _tag: 'Truncated', needed: 8, actual: buffer.length });
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerSize = Number(view.getBigUint64(0, true));
  if (headerSize > MAX_HEADER_BYTES) return E.left({ _tag: 'BadHeader', reason: `header size ${headerSize} is implausible` });
  if (8 + headerSize > buffer.length) return E.left({ _tag: 'Truncated', needed: 8 + headerSize, actual: buffer.length });
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(8, 8 + headerSize)));
  } catch {
    return E.left({ _tag: 'BadHeader', reason: 'the header is not UTF-8 JSON' });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return E.left({ _tag: 'BadHeader', reason: 'the header is not a JSON object' });
  }
  const data = buffer.subarray(8 + headerSize);
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const tensor = decodeEntry(name, entry, data);
    if (E.isLeft(tensor)) return tensor;
    tensors.set(name, tensor.right);
  }
  return E.right({ tensors, metadata });
}

function decodeEntry(name: string, entry: unknown, data: Uint8Array): E.Either<SafetensorsError, SafetensorsTensor> {
  const bad = (reason: string) => E.left<SafetensorsError>({ _tag: 'BadTensor', tensor: name, reason });
  const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) return bad(`unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) return bad('shape is not a list of sizes');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
    return bad('data_offsets is not [begin, end]');
  }
  const [begin, end] = offsets as [number, number];
  const expected = (shape as number[]).reduce((p, s) => p * s, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (end - begin !== expected) return bad(`holds ${end - begin} bytes but its shape and dtype need ${expected}`);
  if (end > data.length) return E.left({ _tag: 'Truncated', needed: end, actual: data.length });
  return E.right({ dtype: dtype as SafetensorsDtype, shape: shape as number[], bytes: data.subarray(begin, end) });
}

/** Encodes tensors and string metadata as a safetensors buffer (header padded to 8 bytes, tensors in order). */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
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

/** A tensor's values as float64 (F64, F32, F16 and BF16 only); `null` for other dtypes. */
export function tensorToFloat64(t: SafetensorsTensor): Float64Array | null {
  return decodeFloats(t.bytes, t.dtype, Float64Array);
}

/** Little-endian F64/F32/F16/BF16 bytes as a new float array of the given kind; `null` for other dtypes. */
export function decodeFloats<T extends Float32Array | Float64Array>(
  bytes: Uint8Array,
  dtype: SafetensorsDtype,
  Kind: { new (length: number): T },
): T | null {
  const count = bytes.length / DTYPE_BYTES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Kind(count);
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const scratch = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        scratch.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = scratch.getFloat32(0);
      }
      return out;
    }
    default:
      return null;
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
