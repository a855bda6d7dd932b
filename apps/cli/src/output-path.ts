import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * The absolute path an `--out` value names for a command that writes one file: the file itself,
 * or `defaultName` inside it when the value names a folder (it ends with a separator, as
 * `--out results/` does, or it is an existing folder). Missing folders are created by the write.
 */
export function outputFilePath(out: string, defaultName: string): string {
  const resolved = path.resolve(out);
  const namesFolder = /[\\/]$/.test(out) || statSync(resolved, { throwIfNoEntry: false })?.isDirectory() === true;
  return namesFolder ? path.join(resolved, defaultName) : resolved;
}
