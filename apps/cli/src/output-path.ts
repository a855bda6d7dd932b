import path from 'node:path';

/**
 * The absolute path an `--out` value names for a command that writes one file: the file itself,
 * or `defaultName` inside it when the value ends with a separator (`--out results/` names a
 * folder, which the write creates when missing). A folder named without the separator is refused
 * by the write (EISDIR), as a file path is expected there.
 */
export function outputFilePath(out: string, defaultName: string): string {
  const resolved = path.resolve(out);
  return /[\\/]$/.test(out) ? path.join(resolved, defaultName) : resolved;
}
