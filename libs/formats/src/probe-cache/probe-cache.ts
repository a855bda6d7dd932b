import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { writeFileAtomic } from '../atomic-write.js';
import { canonicalJson } from '../canonical-json.js';
import { sha256 } from '../hashing.js';
import { decodeSafetensors, encodeSafetensors } from '../safetensors/safetensors-codec.js';

/** The `format` metadata of a cached prompt entry. */
export const PROBE_CACHE_FORMAT = 'moral-plantain/probe-cache@1';

/** Everything a prompt's per-unit vector depends on; its canonical JSON's SHA-256 is the cache key. */
export interface PromptKeyParts {
  /** Fingerprint of the untapped transformer (`fingerprintGraph`). */
  readonly transformer: string;
  /** Where the text embedding came from: the text encoder's fingerprint and the token ids fed, or the SHA-256 of precomputed embeddings. */
  readonly text: { readonly encoder: string; readonly tokens: string } | { readonly embeddings: string };
  readonly prompt: string;
  readonly seed: number;
  /** [height, width] in pixels. */
  readonly resolution: readonly [number, number];
  readonly timestep: number;
  /** Tap configuration (preset, unit width, channel and token ranges). */
  readonly taps: Readonly<Record<string, unknown>>;
  /** SHA-256 of the reference-image tokens and position ids the prompt was conditioned on (absent: none). */
  readonly references?: string;
}

/** The cache key of one prompt (hex SHA-256 of the parts as canonical JSON, keys sorted). */
export function promptKey(parts: PromptKeyParts): string {
  return sha256(canonicalJson({ format: PROBE_CACHE_FORMAT, ...parts }));
}

/** The file of a cache entry: `<dir>/<key[0..2]>/<key>.safetensors`. */
export function cacheEntryPath(dir: string, key: string): string {
  return path.join(dir, key.slice(0, 2), `${key}.safetensors`);
}

/** Reads a cached per-unit vector; null when absent, unreadable or not of `units` values (it is then recomputed). */
export async function readCachedUnits(dir: string, key: string, units: number): Promise<Float32Array | null> {
  const bytes = await readFile(cacheEntryPath(dir, key)).catch(() => null);
  if (!bytes) return null;
  const decoded = decodeSafetensors(bytes);
  if (E.isLeft(decoded)) return null;
  const tensor = decoded.right.tensors.get('units');
  if (!tensor || tensor.dtype !== 'F32' || tensor.shape.length !== 1 || tensor.shape[0] !== units || decoded.right.metadata.key !== key) return null;
  const out = new Float32Array(units);
  new Uint8Array(out.buffer).set(tensor.bytes);
  return out;
}

/** Persists one prompt's per-unit vector atomically (temporary file + rename), with its key and prompt as metadata. */
export async function writeCachedUnits(dir: string, key: string, values: Float32Array, prompt: string): Promise<void> {
  const file = cacheEntryPath(dir, key);
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  await writeFileAtomic(file, encodeSafetensors(new Map([['units', { dtype: 'F32', shape: [values.length], bytes }]]), { format: PROBE_CACHE_FORMAT, key, prompt }));
}
