import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import path from 'node:path';
import { errorReason, writeJsonFile } from '@moral-plantain/formats';
import type { HooksErrors } from './errors.js';
import { insertTaps, type TapOptions } from './insert-taps.js';
import { readModelFile } from './model-file.js';
import { writeModelFile } from './model-file.js';
import { manifestPathFor, type TapsManifest } from './taps-manifest.js';

/** What `tapModelFile` wrote. */
export interface TappedFile {
  readonly modelPath: string;
  readonly manifestPath: string;
  readonly manifest: TapsManifest;
}

/**
 * Reads a model, inserts taps and writes the tapped graph to `out` (beside the original or in
 * another folder, external data locations rewritten to resolve from there) and its manifest to
 * `<out>.taps.json`, both atomically. External data files are never read or copied.
 */
export function tapModelFile(input: string, out: string, options: TapOptions): TE.TaskEither<HooksErrors, TappedFile> {
  const modelPath = path.resolve(out);
  const manifestPath = manifestPathFor(modelPath);
  return pipe(
    readModelFile(input),
    TE.flatMap((loaded) =>
      pipe(
        TE.fromEither(insertTaps(loaded.model, options)),
        TE.flatMap((tapped) =>
          pipe(
            writeModelFile(tapped.model, modelPath, { sourceDir: loaded.dir }),
            TE.flatMap(() =>
              TE.tryCatch(
                () => writeJsonFile(manifestPath, tapped.manifest),
                (error) => [{ _tag: 'FileWriteFailed', path: manifestPath, reason: errorReason(error) }] as const,
              ),
            ),
            TE.map(() => ({ modelPath, manifestPath, manifest: tapped.manifest })),
          ),
        ),
      ),
    ),
  );
}
