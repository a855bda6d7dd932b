import * as E from 'fp-ts/lib/Either.js';
import { DTYPE_BYTES, isSafetensorsDtype, type SafetensorsDtype } from './safetensors-dtype.js';
import type { SafetensorsError } from './safetensors-error.js';

/** Where one tensor's bytes lie in the data section of a safetensors file. */
export interface TensorLayout {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte range [begin, end) relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

/** A checked safetensors header: tensors in file order and the string metadata. */
export interface SafetensorsHeader {
  readonly tensors: ReadonlyMap<string, TensorLayout>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Where the data section starts: 8 + the header's length. */
  readonly dataStart: number;
}

/** Largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * The header length from a file's first 8 bytes (little-endian u64), checked against the file's
 * total length; `prefix` must hold at least 8 bytes.
 */
export function readHeaderLength(prefix: Uint8Array, fileLength: number): E.Either<SafetensorsError, number> {
  if (fileLength < 8 || prefix.length < 8) return E.left({ _tag: 'Truncated', needed: 8, actual: fileLength });
  const length = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (length > MAX_HEADER_BYTES) return E.left({ _tag: 'BadHeader', reason: `its declared length ${length} is implausible` });
  if (8 + length > fileLength) return E.left({ _tag: 'Truncated', needed: 8 + length, actual: fileLength });
  return E.right(length);
}

/**
 * Parses and checks a header (the JSON bytes after the 8-byte length) against the file's length:
 * UTF-8 JSON object; string-to-string `__metadata__`; for every tensor a known dtype, a shape of
 * sizes, `data_offsets` [begin, end] holding exactly shape x dtype bytes, inside the file, and no
 * two tensors sharing bytes. The first problem found is returned.
 */
export function parseSafetensorsHeader(json: Uint8Array, fileLength: number): E.Either<SafetensorsError, SafetensorsHeader> {
  const dataStart = 8 + json.length;
  const dataLength = fileLength - dataStart;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return E.left({ _tag: 'BadHeader', reason: 'it is not UTF-8 JSON' });
  }
  if (!isRecord(header)) return E.left({ _tag: 'BadHeader', reason: 'it is not a JSON object' });
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorLayout>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry === null) continue;
      if (!isRecord(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        return E.left({ _tag: 'BadHeader', reason: '__metadata__ is not an object of strings' });
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const layout = tensorLayout(name, entry, dataLength);
    if (E.isLeft(layout)) return layout;
    tensors.set(name, layout.right);
  }
  const overlap = firstOverlap(tensors);
  if (overlap) return E.left({ _tag: 'BadTensor', tensor: overlap[1], reason: `shares bytes with tensor ${JSON.stringify(overlap[0])} (overlapping data_offsets)` });
  return E.right({ tensors, metadata, dataStart });
}

function tensorLayout(name: string, entry: unknown, dataLength: number): E.Either<SafetensorsError, TensorLayout> {
  const bad = (reason: string) => E.left<SafetensorsError>({ _tag: 'BadTensor', tensor: name, reason });
  if (!isRecord(entry)) return bad('has a header entry that is not an object');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (!isSafetensorsDtype(dtype)) return bad(`has unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) return bad('has a shape that is not a list of sizes');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    return bad('has data_offsets that are not [begin, end]');
  }
  const [begin, end] = offsets as [number, number];
  const expected = (shape as number[]).reduce((p, s) => p * s, 1) * DTYPE_BYTES[dtype];
  if (end < begin || end - begin !== expected) return bad(`holds ${end - begin} bytes but its shape and dtype need ${expected}`);
  if (end > dataLength) return E.left({ _tag: 'Truncated', needed: end, actual: Math.max(0, dataLength) });
  return E.right({ dtype, shape: shape as number[], begin, end });
}

/** Two tensors (names) whose non-empty byte ranges overlap, or null. */
function firstOverlap(tensors: ReadonlyMap<string, TensorLayout>): readonly [string, string] | null {
  const ranges = [...tensors].filter(([, t]) => t.end > t.begin).sort(([, x], [, y]) => x.begin - y.begin);
  let reach: { name: string; end: number } | null = null;
  for (const [name, range] of ranges) {
    if (reach !== null && range.begin < reach.end) return [reach.name, name];
    if (reach === null || range.end > reach.end) reach = { name, end: range.end };
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
