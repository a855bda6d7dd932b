import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

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

/** SHA-256 of a file's content, streamed (hex). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** SHA-256 (hex) of bytes or a string. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
