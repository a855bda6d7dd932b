import type { GraphBuilder } from '@moral-plantain/hooks';
import type { FileHandle } from 'node:fs/promises';

/** Where a parameter store puts the bytes of each parameter. */
export interface ParameterSink {
  /** Adds initializer `name` with `dims` holding `raw`; may write the bytes elsewhere (external data). */
  add(builder: GraphBuilder, name: string, dataType: number, dims: readonly number[], raw: Uint8Array): Promise<void>;
}

/** A sink streaming into an external data file; `bytes()` is the file's length so far. */
export interface ExternalDataSink extends ParameterSink {
  readonly bytes: () => number;
}

/** A sink keeping every parameter's bytes inside the graph (small models). */
export function inlineSink(): ParameterSink {
  return {
    add: async (builder, name, dataType, dims, raw) => void builder.initializer(name, { dataType, dims, raw }),
  };
}

/**
 * A sink writing each parameter's bytes into an open data file as it comes, at offsets that are
 * multiples of `alignment` (default 4096, a page, so ONNX Runtime can map them), leaving only a
 * `location`/`offset`/`length` reference in the graph. The caller may drop the bytes once `add` resolves.
 */
export function externalDataSink(handle: FileHandle, location: string, alignment = 4096): ExternalDataSink {
  let end = 0;
  return {
    bytes: () => end,
    add: async (builder, name, dataType, dims, raw) => {
      const offset = Math.ceil(end / alignment) * alignment;
      await writeFully(handle, raw, offset);
      end = offset + raw.byteLength;
      builder.externalInitializer(name, dataType, dims, { location, offset, length: raw.byteLength });
    },
  };
}

async function writeFully(handle: FileHandle, raw: Uint8Array, offset: number): Promise<void> {
  // One write(2) moves at most about 2 GiB on Linux: loop until every byte is down.
  let done = 0;
  while (done < raw.byteLength) {
    const { bytesWritten } = await handle.write(raw, done, raw.byteLength - done, offset + done);
    if (bytesWritten <= 0) throw new Error(`wrote no bytes at offset ${offset + done}`);
    done += bytesWritten;
  }
}
