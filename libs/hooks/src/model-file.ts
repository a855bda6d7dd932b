import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { link, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorReason, writeFileAtomic } from '@moral-plantain/formats';
import { decodeModel, encodeModel } from './codec.js';
import type { HooksErrors } from './errors.js';
import { checkExternalLocations, planRelocation, rewriteLocations, type RelocatedReference } from './external-data.js';
import type { ModelProto } from './onnx-types.js';

/** A model read from a file: the decoded proto and the folder its external data locations are relative to. */
export interface LoadedModel {
  readonly path: string;
  readonly dir: string;
  readonly model: ModelProto;
  /** Size of the graph file in bytes. */
  readonly bytes: number;
}

/**
 * Reads and decodes an ONNX graph file and checks its external data locations (relative, inside
 * the model's folder). External data files are never read.
 */
export function readModelFile(file: string): TE.TaskEither<HooksErrors, LoadedModel> {
  const resolved = path.resolve(file);
  return pipe(
    TE.tryCatch(
      () => readFile(resolved),
      (error) => [{ _tag: 'FileReadFailed', path: file, reason: errorReason(error) }] as const,
    ),
    TE.flatMap((buffer) =>
      TE.fromEither(
        pipe(
          parseModelBytes(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), file),
          E.map((model) => ({ path: resolved, dir: path.dirname(resolved), model, bytes: buffer.byteLength })),
        ),
      ),
    ),
  );
}

/** Decodes an ONNX graph from its bytes (a file's, or standard input's) and checks its external data locations; `source` names it in errors. */
export function parseModelBytes(bytes: Uint8Array, source: string): E.Either<HooksErrors, ModelProto> {
  return pipe(
    decodeModel(bytes, source),
    E.flatMap((model) => (model.graph ? E.right(model) : E.left([{ _tag: 'MissingGraph', source }] as const))),
    E.flatMap(checkExternalLocations),
  );
}

/** What `writeModelFile` did. */
export interface WrittenModel {
  readonly path: string;
  readonly bytes: number;
  /** External data files the written graph refers to, with their locations relative to it. */
  readonly externalData: readonly RelocatedReference[];
}

/** Options of `writeModelFile`. */
export interface WriteModelOptions {
  /** Folder the model's external data locations are relative to now (default: the output folder, nothing rewritten). */
  readonly sourceDir?: string;
}

/**
 * Encodes a model and writes it atomically. When the model came from another folder, its external
 * data locations are rewritten relative to the new file; a data file outside the new folder gets a
 * hard link beside the new file (a location may not leave the model's folder, and ONNX Runtime
 * resolves symbolic links before checking that). Data files are never read or copied.
 */
export function writeModelFile(model: ModelProto, file: string, options: WriteModelOptions = {}): TE.TaskEither<HooksErrors, WrittenModel> {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const sourceDir = path.resolve(options.sourceDir ?? dir);
  return TE.tryCatch(
    async () => {
      const planned = planRelocation(model, sourceDir, dir);
      const linked = await Promise.all(planned.map((ref) => (ref.outside ? linkBeside(ref, dir) : Promise.resolve(ref))));
      rewriteLocations(model, linked);
      const bytes = encodeModel(model);
      await writeFileAtomic(target, bytes);
      return { path: target, bytes: bytes.byteLength, externalData: linked };
    },
    (error) => [{ _tag: 'FileWriteFailed', path: file, reason: errorReason(error) }] as const,
  );
}

async function linkBeside(ref: RelocatedReference, dir: string): Promise<RelocatedReference> {
  const name = path.basename(ref.file);
  const target = path.join(dir, name);
  const [existing, original] = await Promise.all([stat(target).catch(() => undefined), stat(ref.file)]);
  if (!existing) {
    await link(ref.file, target).catch((error: unknown) => {
      throw new Error(
        `external data file ${ref.file} lies outside ${dir} and cannot be hard-linked there (${errorReason(error)}); write the tapped model into the original model's folder or one of its parents`,
      );
    });
  } else if (existing.ino !== original.ino || existing.dev !== original.dev) {
    throw new Error(`${target} already exists and is not the external data file ${ref.file}`);
  }
  return { ...ref, to: name, outside: false };
}

