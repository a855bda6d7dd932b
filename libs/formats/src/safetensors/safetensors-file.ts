import { open } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { decodeFloats } from './safetensors-codec.js';
import type { SafetensorsDtype } from './safetensors-dtype.js';
import type { SafetensorsError } from './safetensors-error.js';
import { parseSafetensorsHeader, readHeaderLength } from './safetensors-header.js';

/** Where one tensor lies in a safetensors file on disk. */
export interface TensorEntry {
  readonly file: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte range [start, end) in the file. */
  readonly start: number;
  readonly end: number;
}

/**
 * Reads only the header of a safetensors file (the data is never read): its tensors' dtypes,
 * shapes and byte ranges, checked as `decodeSafetensors` checks them.
 */
export async function readSafetensorsHeader(file: string): Promise<E.Either<SafetensorsError, Map<string, TensorEntry>>> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return E.left({ _tag: 'Unreadable', path: file, reason: errorCode(error) });
  }
  try {
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(8);
    await handle.read(prefix, 0, 8, 0);
    const length = readHeaderLength(prefix, size);
    if (E.isLeft(length)) return length;
    const json = Buffer.alloc(length.right);
    await handle.read(json, 0, length.right, 8);
    const header = parseSafetensorsHeader(json, size);
    if (E.isLeft(header)) return header;
    const entries = new Map<string, TensorEntry>();
    const { dataStart } = header.right;
    for (const [name, t] of header.right.tensors) entries.set(name, { file, dtype: t.dtype, shape: t.shape, start: dataStart + t.begin, end: dataStart + t.end });
    return E.right(entries);
  } catch (error) {
    return E.left({ _tag: 'Unreadable', path: file, reason: errorCode(error) });
  } finally {
    await handle.close();
  }
}

/** Reads one tensor's bytes and converts them to float32 (F32, F16, BF16, F64); `null` for other dtypes. */
export async function readTensorAsFloat32(entry: TensorEntry): Promise<Float32Array | null> {
  const handle = await open(entry.file, 'r');
  try {
    const bytes = Buffer.alloc(entry.end - entry.start);
    await handle.read(bytes, 0, bytes.length, entry.start);
    return decodeFloats(bytes, entry.dtype, Float32Array);
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
