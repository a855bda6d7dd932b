import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { ReportError } from './report-error.js';

/** Writes a file atomically: a temporary file in the same folder, then a rename over the target. */
export function writeFileAtomic(file: string, content: string): TE.TaskEither<ReportError, string> {
  return TE.tryCatch(
    async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, content, 'utf8');
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return file;
    },
    (error): ReportError => ({ _tag: 'WriteFailed', path: file, message: error instanceof Error ? error.message : String(error) }),
  );
}
