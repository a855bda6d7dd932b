import { open } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { decodeFloats, DTYPE_BYTES, type SafetensorsDtype } from '../safetensors/safetensors-codec.js';

/** Where one tensor lies in a safetensors file. */
export interface TensorEntry {
  readonly file: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte range in the file. */
  readonly start: number;
  readonly end: number;
}

/** Reads only the header of a safetensors file: its tensors' dtypes, shapes and byte ranges. */
export async function readSafetensorsHeader(file: string): Promise<E.Either<string, Map<string, TensorEntry>>> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    return E.left((error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(8);
    if (size < 8 || (await handle.read(prefix, 0, 8, 0)).bytesRead < 8) return E.left('not a safetensors file (too short)');
    const headerSize = Number(prefix.readBigUInt64LE(0));
    if (headerSize > 100_000_000 || 8 + headerSize > size) return E.left('not a safetensors file (bad header size)');
    const header = Buffer.alloc(headerSize);
    await handle.read(header, 0, headerSize, 8);
    let parsed: Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] }>;
    try {
      parsed = JSON.parse(header.toString('utf8'));
    } catch {
      return E.left('not a safetensors file (header is not JSON)');
    }
    const entries = new Map<string, TensorEntry>();
    for (const [name, entry] of Object.entries(parsed)) {
      if (name === '__metadata__') continue;
      const { dtype, shape, data_offsets: offsets } = entry;
      if (!dtype || !(dtype in DTYPE_BYTES) || !Array.isArray(shape) || !Array.isArray(offsets)) {
        return E.left(`tensor ${name} has a malformed header entry`);
      }
      const start = 8 + headerSize + offsets[0];
      const end = 8 + headerSize + offsets[1];
      if (end > size) return E.left(`tensor ${name} lies past the end of the file (truncated?)`);
      entries.set(name, { file, dtype: dtype as SafetensorsDtype, shape, start, end });
    }
    return E.right(entries);
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
