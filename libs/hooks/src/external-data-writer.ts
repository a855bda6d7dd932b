import { create } from '@bufbuild/protobuf';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { errorReason, writeFileAtomic } from '@moral-plantain/formats';
import { encodeModel } from './codec.js';
import type { HooksErrors } from './errors.js';
import { EXTERNAL_DATA_LOCATION } from './external-data.js';
import { onnxSchemas } from './onnx-schema.js';
import type { ModelProto, TensorProto } from './onnx-types.js';

/** Options of `writeModelWithExternalData`. */
export interface ExternalDataOptions {
  /** Data file name, beside the graph file (default: the graph file's name + `.data`, e.g. `model.onnx.data`). */
  readonly dataFile?: string;
  /** Initializers with at least this many raw bytes go to the data file (default 1024). */
  readonly sizeThreshold?: number;
  /** Byte alignment of each tensor's offset in the data file (default 4096, page-aligned for memory mapping). */
  readonly alignment?: number;
}

/** What `writeModelWithExternalData` wrote. */
export interface ExternalDataWritten {
  readonly graphPath: string;
  readonly graphBytes: number;
  readonly dataPath: string;
  readonly dataBytes: number;
  readonly externalTensors: number;
}

/**
 * Writes a model as a small graph file plus one external data file: every top-level initializer
 * with raw data of at least `sizeThreshold` bytes is streamed into the data file (no concatenation
 * in memory) and replaced by `location`/`offset`/`length` entries. The way to save graphs over
 * the 2 GB protobuf limit. Both files are written atomically; the caller's model is not modified.
 */
export function writeModelWithExternalData(model: ModelProto, file: string, options: ExternalDataOptions = {}): TE.TaskEither<HooksErrors, ExternalDataWritten> {
  const graphPath = path.resolve(file);
  const dataName = options.dataFile ?? `${path.basename(graphPath)}.data`;
  const dataPath = path.join(path.dirname(graphPath), dataName);
  const threshold = options.sizeThreshold ?? 1024;
  const alignment = options.alignment ?? 4096;
  return TE.tryCatch(
    async () => {
      const schemas = onnxSchemas();
      const graph = model.graph;
      const temp = `${dataPath}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temp, 'w');
      let offset = 0;
      let externalTensors = 0;
      const initializer: TensorProto[] = [];
      try {
        for (const tensor of graph?.initializer ?? []) {
          if (tensor.rawData.byteLength < threshold) {
            initializer.push(tensor);
            continue;
          }
          const start = Math.ceil(offset / alignment) * alignment;
          await handle.write(tensor.rawData, 0, tensor.rawData.byteLength, start);
          offset = start + tensor.rawData.byteLength;
          externalTensors++;
          const { rawData: _moved, ...rest } = tensor;
          initializer.push({
            ...rest,
            dataLocation: EXTERNAL_DATA_LOCATION,
            externalData: [
              create(schemas.entry, { key: 'location', value: dataName }),
              create(schemas.entry, { key: 'offset', value: String(start) }),
              create(schemas.entry, { key: 'length', value: String(tensor.rawData.byteLength) }),
            ],
          } as TensorProto);
        }
        await handle.close();
        await rename(temp, dataPath);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(temp, { force: true });
        throw error;
      }
      const written: ModelProto = graph ? { ...model, graph: { ...graph, initializer } } : model;
      const bytes = encodeModel(written, schemas);
      await writeFileAtomic(graphPath, bytes);
      return { graphPath, graphBytes: bytes.byteLength, dataPath, dataBytes: offset, externalTensors };
    },
    (error) => [{ _tag: 'FileWriteFailed', path: file, reason: errorReason(error) }] as const,
  );
}
