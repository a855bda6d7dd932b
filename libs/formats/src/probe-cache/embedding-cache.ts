import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { writeFileAtomic } from '../atomic-write.js';
import { canonicalJson } from '../canonical-json.js';
import { sha256 } from '../hashing.js';
import { decodeSafetensors, encodeSafetensors } from '../safetensors/safetensors-codec.js';
import { cacheEntryPath } from './probe-cache.js';

/** The `format` metadata of a cached prompt embedding. */
export const EMBEDDING_CACHE_FORMAT = 'moral-plantain/prompt-embedding@1';

/** Everything a prompt's text embedding depends on; its canonical JSON's SHA-256 is the embedding's cache key. */
export interface EmbeddingKeyParts {
  /** Fingerprint of the text encoder (`fingerprintGraph`). */
  readonly encoder: string;
  /** SHA-256 of the token ids and attention mask fed (float64 little-endian, ids then mask). */
  readonly tokens: string;
}

/** A cached text embedding: [tokens, width] float32 values, row-major. */
export interface CachedEmbedding {
  readonly data: Float32Array;
  readonly tokens: number;
  readonly width: number;
}

/** The cache key of one prompt's text embedding (hex SHA-256 of the parts as canonical JSON). */
export function embeddingKey(parts: EmbeddingKeyParts): string {
  return sha256(canonicalJson({ format: EMBEDDING_CACHE_FORMAT, ...parts }));
}

/** Reads a cached embedding (`<dir>/<key[0..2]>/<key>.safetensors`); null when absent, unreadable or not a float32 [tokens, width] tensor under this key (it is then computed again). */
export async function readCachedEmbedding(dir: string, key: string): Promise<CachedEmbedding | null> {
  const bytes = await readFile(cacheEntryPath(dir, key)).catch(() => null);
  if (!bytes) return null;
  const decoded = decodeSafetensors(bytes);
  if (E.isLeft(decoded)) return null;
  const tensor = decoded.right.tensors.get('embedding');
  if (!tensor || tensor.dtype !== 'F32' || tensor.shape.length !== 2 || decoded.right.metadata.key !== key || decoded.right.metadata.format !== EMBEDDING_CACHE_FORMAT) return null;
  const [tokens, width] = tensor.shape as [number, number];
  const data = new Float32Array(tokens * width);
  new Uint8Array(data.buffer).set(tensor.bytes);
  return { data, tokens, width };
}

/** Persists one prompt's embedding atomically (temporary file + rename), with its key and prompt as metadata. */
export async function writeCachedEmbedding(dir: string, key: string, embedding: CachedEmbedding, prompt: string): Promise<void> {
  const { data, tokens, width } = embedding;
  if (data.length !== tokens * width) throw new Error(`an embedding of ${data.length} values is not [${tokens}, ${width}]`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  await writeFileAtomic(cacheEntryPath(dir, key), encodeSafetensors(new Map([['embedding', { dtype: 'F32', shape: [tokens, width], bytes }]]), { format: EMBEDDING_CACHE_FORMAT, key, prompt }));
}
