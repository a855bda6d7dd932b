import { describeModelFolder, type ModelFolder, type ModelFolderInfo } from '@moral-plantain/model-runtime';

/** Graph data files past this size are fingerprinted by name, size and time (the probe cache's rule) rather than hashed on every run. */
export const HASHED_DATA_LIMIT = 2 ** 31;

/**
 * The model folder as a run records it: every file with its size, and with its SHA-256 unless a
 * graph's external data file is past `HASHED_DATA_LIMIT` (then no file is hashed and the
 * transformer's fingerprint in the activations metadata stands in for the hashes).
 */
export function recordedModelFolder(folder: ModelFolder): Promise<ModelFolderInfo> {
  const large = [folder.transformer, folder.textEncoder].some((g) => (g?.externalData ?? []).some((f) => f.bytes > HASHED_DATA_LIMIT));
  return describeModelFolder(folder, { hash: !large });
}
