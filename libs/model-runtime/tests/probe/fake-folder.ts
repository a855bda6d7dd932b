import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeModel, writeModelWithExternalData } from '@moral-plantain/hooks';
import { fakeTextEncoder, fakeTransformer, type FakeTransformerOptions } from './fake-models.js';

/** Options of `writeFakeFolder`. */
export interface FakeFolderOptions extends FakeTransformerOptions {
  /** Add text_encoder.onnx (default true). */
  readonly textEncoder?: boolean;
  /** Write model.json as `model build` does (default true); false gives a community-style folder. */
  readonly manifest?: boolean;
  /** Write the transformer with external data (`transformer.onnx.data`) (default false). */
  readonly externalData?: boolean;
  /** Transformer path inside the folder (default `transformer.onnx`). */
  readonly transformerFile?: string;
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'mp-runtime-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Writes a model folder with the fake graphs and returns its path. */
export async function writeFakeFolder(options: FakeFolderOptions = {}): Promise<string> {
  const dir = await tempDir();
  const transformerFile = options.transformerFile ?? 'transformer.onnx';
  await mkdir(path.dirname(path.join(dir, transformerFile)), { recursive: true });
  const transformer = fakeTransformer(options);
  if (options.externalData) {
    const written = await writeModelWithExternalData(transformer, path.join(dir, transformerFile))();
    if (written._tag === 'Left') throw new Error(JSON.stringify(written.left));
  } else {
    await writeFile(path.join(dir, transformerFile), encodeModel(transformer));
  }
  if (options.textEncoder !== false) await writeFile(path.join(dir, 'text_encoder.onnx'), encodeModel(fakeTextEncoder()));
  if (options.manifest !== false) {
    const manifest = {
      format: 'moral-plantain/model@1',
      name: 'fake',
      tiny: true,
      transformer: { file: transformerFile, config: { in_channels: 8 }, weights: 'test LCG' },
      textEncoder: options.textEncoder !== false ? { file: 'text_encoder.onnx', config: {}, weights: 'sin table' } : null,
      tokenizerFiles: [],
      seeds: { transformer: 1 },
      resolution: [64, 48],
    };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  }
  return dir;
}
