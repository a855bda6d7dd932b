import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { FLUX2_SCHEDULER_CONFIG, MODEL_MANIFEST_FILE, readModelManifest, type ManifestProblem, type ManifestSampler, type ModelManifest } from '@moral-plantain/formats';
import { dataTypeName, describeHooksError, externalReferences, readModelFile, shapeOf, type ModelProto } from '@moral-plantain/hooks';
import { detectTextEncoderIo, detectTransformerIo, type NamingError, type TextEncoderIo, type TransformerIo } from './io-naming.js';

/** A graph input or output as the graph file declares it. */
export interface GraphValue {
  readonly name: string;
  /** Element type (`float`, `float16`, `int64`, ...). */
  readonly type: string;
  /** Dimensions: numbers, symbolic names, or null when unknown. */
  readonly shape: readonly (number | string | null)[] | null;
}

/** A file on disk with its size. */
export interface SizedFile {
  readonly path: string;
  readonly bytes: number;
}

/** One ONNX graph of a model folder: its file, its external data files and its declared inputs and outputs. */
export interface GraphFile extends SizedFile {
  readonly externalData: readonly SizedFile[];
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

/** A model folder: ours (with `model.json`) or a community export (detected from file names and graph inputs). */
export interface ModelFolder {
  readonly dir: string;
  readonly kind: 'ours' | 'community';
  /** `model.json`, for folders built by `model build`. */
  readonly manifest: ModelManifest | null;
  readonly transformer: GraphFile;
  readonly transformerIo: TransformerIo;
  readonly textEncoder: GraphFile | null;
  readonly textEncoderIo: TextEncoderIo | null;
  /** Folder holding `tokenizer.json` (and the chat template), when the model has its own tokenizer. */
  readonly tokenizerDir: string | null;
  /** `prompt_embeds.safetensors`, precomputed prompt embeddings for folders without a text encoder. */
  readonly promptEmbeddings: string | null;
  /** The VAE graphs (pixels -> patchified normalised latents, and back), or null when the folder has none. */
  readonly vae: { readonly encoder: GraphFile; readonly decoder: GraphFile } | null;
  /** How images are sampled: model.json's scheduler and distillation, else the FLUX.2 scheduler of a base (guided) checkpoint. */
  readonly sampler: ManifestSampler;
}

/** Why a folder is not a usable model folder. */
export type ModelFolderError =
  | { readonly _tag: 'FolderUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'NoTransformer'; readonly dir: string; readonly looked: readonly string[] }
  | { readonly _tag: 'BadManifest'; readonly path: string; readonly problems: readonly ManifestProblem[] }
  | { readonly _tag: 'GraphUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'MissingFile'; readonly path: string; readonly what: string }
  | { readonly _tag: 'TruncatedFile'; readonly path: string; readonly bytes: number; readonly needed: number; readonly what: string }
  | ({ readonly path: string } & NamingError);

/** File names looked for, in order. */
const TRANSFORMER_FILES = ['transformer.onnx', 'transformer/model.onnx'];
const TEXT_ENCODER_FILES = ['text_encoder.onnx', 'text_encoder/model.onnx'];
const TOKENIZER_DIRS = ['.', 'tokenizer'];
const PROMPT_EMBEDDINGS_FILE = 'prompt_embeds.safetensors';
const VAE_FILES = { encoder: ['vae_encoder.onnx', 'vae_encoder/model.onnx'], decoder: ['vae_decoder.onnx', 'vae_decoder/model.onnx'] };

/**
 * Opens a model folder: reads `model.json` when there is one, decodes the graph files (never their
 * external data) and detects the transformer's input naming (diffusers or BFL) and the text
 * encoder's. Every problem found is reported.
 */
export function openModelFolder(dir: string): TE.TaskEither<readonly ModelFolderError[], ModelFolder> {
  return async () => {
    const root = path.resolve(dir);
    const info = await stat(root).catch((error: unknown) => error as Error);
    if (info instanceof Error || !info.isDirectory()) return E.left([{ _tag: 'FolderUnreadable', path: dir, reason: info instanceof Error ? codeOf(info) : 'not a folder' }]);
    const problems: ModelFolderError[] = [];
    const manifest = await readManifest(root, problems);
    const transformerFile = manifest ? manifest.transformer.file : await firstExisting(root, TRANSFORMER_FILES);
    const textEncoderFile = manifest ? (manifest.textEncoder?.file ?? null) : await firstExisting(root, TEXT_ENCODER_FILES);
    if (transformerFile === null) problems.push({ _tag: 'NoTransformer', dir, looked: TRANSFORMER_FILES });
    const transformer = transformerFile === null ? null : await readGraph(path.join(root, transformerFile), problems);
    const textEncoder = textEncoderFile === null ? null : await readGraph(path.join(root, textEncoderFile), problems);
    const vae = await readVae(root, manifest, problems);
    const transformerIo = transformer ? named(transformer, detectTransformerIo, problems) : null;
    const textEncoderIo = textEncoder ? named(textEncoder, detectTextEncoderIo, problems) : null;
    for (const file of manifest?.tokenizerFiles ?? []) {
      if (!(await exists(path.join(root, file)))) problems.push({ _tag: 'MissingFile', path: path.join(root, file), what: 'a tokenizer file model.json lists' });
    }
    const tokenizerDir = await firstExisting(root, TOKENIZER_DIRS.map((d) => path.join(d, 'tokenizer.json')));
    const promptEmbeddings = (await exists(path.join(root, PROMPT_EMBEDDINGS_FILE))) ? path.join(root, PROMPT_EMBEDDINGS_FILE) : null;
    if (problems.length > 0 || !transformer || !transformerIo) return E.left(problems);
    return E.right({
      dir: root,
      kind: manifest ? 'ours' : 'community',
      manifest,
      transformer,
      transformerIo,
      textEncoder,
      textEncoderIo,
      tokenizerDir: tokenizerDir === null ? null : path.dirname(path.join(root, tokenizerDir)),
      promptEmbeddings,
      vae,
      sampler: manifest?.sampler ?? { scheduler: FLUX2_SCHEDULER_CONFIG, isDistilled: false },
    });
  };
}

/** Reads a graph file's declared inputs, outputs and external data files (which are never opened, only sized). */
export async function readGraph(file: string, problems: ModelFolderError[]): Promise<GraphFile | null> {
  const loaded = await readModelFile(file)();
  if (E.isLeft(loaded)) {
    problems.push({ _tag: 'GraphUnreadable', path: file, reason: loaded.left.map((e) => describeHooksError(e).message).join('; ') });
    return null;
  }
  const { model, dir, bytes } = loaded.right;
  const externalData: SizedFile[] = [];
  const references = externalReferences(model);
  for (const location of [...new Set(references.map((r) => r.location))]) {
    const dataPath = path.join(dir, location);
    const size = await stat(dataPath).then((s) => s.size, () => null);
    const needed = Math.max(0, ...references.filter((r) => r.location === location).map((r) => r.end ?? 0));
    if (size === null) problems.push({ _tag: 'MissingFile', path: dataPath, what: `the external data file of ${path.basename(file)}` });
    else if (size < needed) problems.push({ _tag: 'TruncatedFile', path: dataPath, bytes: size, needed, what: `the external data file of ${path.basename(file)}` });
    else externalData.push({ path: dataPath, bytes: size });
  }
  return { path: loaded.right.path, bytes, externalData, ...graphValues(model) };
}

/** The VAE graphs: model.json's, or (in an export without one) `vae_encoder.onnx` and `vae_decoder.onnx` when both are there. */
async function readVae(root: string, manifest: ModelManifest | null, problems: ModelFolderError[]): Promise<ModelFolder['vae']> {
  const files = manifest ? (manifest.vae ? { encoder: manifest.vae.encoder, decoder: manifest.vae.decoder } : null) : { encoder: await firstExisting(root, VAE_FILES.encoder), decoder: await firstExisting(root, VAE_FILES.decoder) };
  if (files === null || files.encoder === null || files.decoder === null) return null;
  const encoder = await readGraph(path.join(root, files.encoder), problems);
  const decoder = await readGraph(path.join(root, files.decoder), problems);
  return encoder && decoder ? { encoder, decoder } : null;
}

function graphValues(model: ModelProto): { inputs: GraphValue[]; outputs: GraphValue[] } {
  const graph = model.graph;
  const initializers = new Set(graph?.initializer.map((t) => t.name) ?? []);
  const value = (info: NonNullable<typeof graph>['input'][number]): GraphValue => {
    const type = info.type?.value;
    return { name: info.name, type: type?.case === 'tensorType' ? dataTypeName(type.value.elemType) : 'non-tensor', shape: shapeOf(info) ?? null };
  };
  // Old exporters list initializers among the inputs; they are not inputs one feeds.
  return { inputs: (graph?.input ?? []).filter((i) => !initializers.has(i.name)).map(value), outputs: (graph?.output ?? []).map(value) };
}

function named<T>(graph: GraphFile, detect: (inputs: readonly string[], outputs: readonly string[]) => E.Either<NamingError, T>, problems: ModelFolderError[]): T | null {
  const result = detect(graph.inputs.map((i) => i.name), graph.outputs.map((o) => o.name));
  if (E.isRight(result)) return result.right;
  problems.push({ ...result.left, path: graph.path });
  return null;
}

async function readManifest(root: string, problems: ModelFolderError[]): Promise<ModelManifest | null> {
  const manifest = await readModelManifest(root);
  if (E.isRight(manifest)) return manifest.right;
  problems.push({ _tag: 'BadManifest', path: path.join(root, MODEL_MANIFEST_FILE), problems: manifest.left });
  return null;
}

async function firstExisting(root: string, names: readonly string[]): Promise<string | null> {
  for (const name of names) if (await exists(path.join(root, name))) return name;
  return null;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

function codeOf(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
