import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../hashing.js';

/** The version tag hashed into every model fingerprint (changes invalidate old caches). */
export const FINGERPRINT_VERSION = 'moral-plantain/model-fingerprint@1';

/**
 * The identity of an ONNX graph for caching: SHA-256 over the graph file's content (small: the
 * weights of a big model live in its external data; a self-contained model is hashed whole) and,
 * for each external data file, its name, size and modification time. Data files are never read,
 * so a 16 GB checkpoint costs one `stat`; replacing one changes its size or mtime.
 */
export async function fingerprintGraph(graphFile: string, externalData: readonly string[] = []): Promise<string> {
  const hash = createHash('sha256').update(`${FINGERPRINT_VERSION}\n`);
  hash.update(`graph ${await sha256File(graphFile)}\n`);
  for (const file of [...externalData].sort()) {
    const info = await stat(file);
    hash.update(`data ${path.basename(file)} ${info.size} ${Math.trunc(info.mtimeMs)}\n`);
  }
  return hash.digest('hex');
}
