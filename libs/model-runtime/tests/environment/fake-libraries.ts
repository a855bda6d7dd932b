import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onnxruntimeInstall } from '../../src/index.js';

/** A real shared library of this machine's architecture (onnxruntime-node's own), to stand in under other sonames. */
export const REAL_LIBRARY = path.join(onnxruntimeInstall().binDir, 'libonnxruntime.so.1');

/** A fresh temporary folder. */
export function tempFolder(prefix = 'mp-env-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * A folder holding each soname as a real shared library (a link to `REAL_LIBRARY`): the loader
 * finds a library by file name in LD_LIBRARY_PATH folders, so this is what it would open.
 */
export function libraryFolder(sonames: readonly string[], dir: string = tempFolder()): string {
  mkdirSync(dir, { recursive: true });
  for (const soname of sonames) symlinkSync(REAL_LIBRARY, path.join(dir, soname));
  return dir;
}

/** An empty file under a library's name: the loader skips it. */
export function emptyFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '');
  return file;
}
