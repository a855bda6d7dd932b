import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { syncFolder, writeFileAtomic } from '@moral-plantain/formats';
import { encodeModel, type ModelProto } from '@moral-plantain/hooks';
import { externalDataSink, type ParameterSink } from './parameter-sink.js';

/** Largest weight size (bytes) kept inside a graph file by default: 1 GiB, well below protobuf's 2 GB limit; larger graphs stream their weights into `<file>.data`. */
export const INLINE_WEIGHT_LIMIT = 2 ** 30;

/** A graph file (or its data file) could not be written. */
export interface GraphWriteFailed {
  readonly _tag: 'WriteFailed';
  readonly path: string;
  readonly reason: string;
}

/** What a graph written to a file consists of. */
export interface GraphFileWritten {
  /** The graph file, absolute. */
  readonly graphPath: string;
  readonly graphBytes: number;
  /** The external data file (`<graph>.data`), or undefined when the weights are inside the graph. */
  readonly dataPath: string | undefined;
  readonly dataBytes: number;
}

/**
 * Encodes a model and writes it to `graphPath` atomically (temporary file + rename); returns its size.
 */
export async function writeGraphFile(graphPath: string, model: ModelProto): Promise<E.Either<GraphWriteFailed, number>> {
  try {
    const bytes = encodeModel(model);
    await writeFileAtomic(graphPath, bytes);
    return E.right(bytes.byteLength);
  } catch (error) {
    return E.left({ _tag: 'WriteFailed', path: graphPath, reason: reason(error) });
  }
}

/**
 * Builds a graph whose weights stream into `<file>.data` as they are read: `build` gets a sink
 * writing page-aligned into a temporary data file beside `file` and returns the model, or the
 * build's errors. Only when the build succeeded is the data file renamed into place and the graph
 * written (atomically) after it; the data is flushed to disk before its rename. On any error the
 * temporary file is removed and nothing is left.
 */
export async function writeStreamedGraph<L>(file: string, build: (sink: ParameterSink) => Promise<E.Either<L, ModelProto>>): Promise<E.Either<L | GraphWriteFailed, GraphFileWritten>> {
  const graphPath = path.resolve(file);
  const location = `${path.basename(graphPath)}.data`;
  const dataPath = path.join(path.dirname(graphPath), location);
  const temp = `${dataPath}.${randomBytes(6).toString('hex')}.tmp`;
  let handle;
  try {
    await mkdir(path.dirname(graphPath), { recursive: true });
    handle = await open(temp, 'w');
  } catch (error) {
    return E.left({ _tag: 'WriteFailed', path: dataPath, reason: reason(error) });
  }
  try {
    const sink = externalDataSink(handle, location);
    const built = await build(sink);
    if (E.isRight(built)) await handle.sync();
    await handle.close();
    if (E.isLeft(built)) {
      await rm(temp, { force: true });
      return built;
    }
    await rename(temp, dataPath);
    await syncFolder(path.dirname(dataPath));
    const written = await writeGraphFile(graphPath, built.right);
    return E.map((graphBytes: number) => ({ graphPath, graphBytes, dataPath, dataBytes: sink.bytes() }))(written);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    return E.left({ _tag: 'WriteFailed', path: dataPath, reason: reason(error) });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
