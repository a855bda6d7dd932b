import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TAPS_FORMAT, type TapsManifest } from '@moral-plantain/hooks';
import { DEFAULT_RESOLUTION, modelKindOf, sha256File, type ModelKind, type WeightQuantization } from '@moral-plantain/formats';
import type { TransformerIo } from './io-naming.js';
import type { GraphValue, ModelFolder } from './open-model-folder.js';

/** One file of a model folder. */
export interface FolderFileInfo {
  /** Path relative to the folder. */
  readonly file: string;
  readonly bytes: number;
  /** SHA-256 of the content (hex), or null when hashing was not asked for. */
  readonly sha256: string | null;
}

/** A graph's role, naming and declared inputs and outputs. */
export interface GraphInfo {
  readonly file: string;
  /** The input naming convention: `diffusers` or `bfl` for a transformer, `transformers` (Hugging Face: input_ids, attention_mask) for a text encoder. */
  readonly naming: 'diffusers' | 'bfl' | 'transformers';
  /** The graph's value for each role the probe feeds or reads (`latents` -> `hidden_states`, ...). */
  readonly io: Readonly<Record<string, string>>;
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

/** One VAE graph: its file, its `image` and `latents` values, its declared inputs and outputs. */
export interface VaeGraphInfo {
  readonly file: string;
  readonly io: Readonly<Record<string, string>>;
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

/** A tapped transformer found in the folder (`*.taps.json`). */
export interface TapsInfo {
  readonly manifest: string;
  readonly taps: number;
  readonly totalUnits: number;
  readonly unitWidth: number;
  readonly groups: readonly string[];
}

/** What `model info` shows of a model folder. */
export interface ModelFolderInfo {
  readonly dir: string;
  readonly kind: 'ours' | 'community';
  readonly name: string;
  readonly tiny: boolean;
  readonly configs: { readonly transformer: unknown; readonly textEncoder: unknown };
  /** Where the weights came from, in words from model.json (`seeded random (seed 0)`, a checkpoint folder); null for a community export. */
  readonly weights: { readonly transformer: string | null; readonly textEncoder: string | null };
  /** The kind of the transformer's weights: `pretrained`, `tiny-seeded` or `random-init-control`. */
  readonly weightsKind: ModelKind;
  readonly seeds: Readonly<Record<string, number>>;
  /** The Hugging Face repo id of the transformer's checkpoint, as model.json records it (null when not recorded). */
  readonly baseModel: string | null;
  /** How each graph's linear layers were quantized, as model.json records it (null: float weights, or not recorded). */
  readonly quantization: { readonly transformer: WeightQuantization | null; readonly textEncoder: WeightQuantization | null };
  readonly resolution: readonly [number, number];
  readonly transformer: GraphInfo;
  readonly textEncoder: GraphInfo | null;
  /** The VAE graphs (the encoder: pixels -> patchified, normalised latents; the decoder: back) and config, or null when the folder has none. */
  readonly vae: { readonly encoder: VaeGraphInfo; readonly decoder: VaeGraphInfo; readonly config: unknown; readonly weights: string | null } | null;
  /** How images are sampled (scheduler, distillation). */
  readonly sampler: ModelFolder['sampler'];
  readonly tokenizerDir: string | null;
  readonly promptEmbeddings: string | null;
  readonly files: readonly FolderFileInfo[];
  readonly taps: readonly TapsInfo[];
}

/** Options of `describeModelFolder`. */
export interface DescribeOptions {
  /** Compute the SHA-256 of every file (default true; reads every byte, slow for multi-GB data files). */
  readonly hash?: boolean;
}

/** Describes an opened model folder: configs, files with sizes and hashes, graph inputs and outputs, the detected naming and any tapped graphs. */
export async function describeModelFolder(folder: ModelFolder, options: DescribeOptions = {}): Promise<ModelFolderInfo> {
  const hash = options.hash ?? true;
  const m = folder.manifest;
  const names = (await readdir(folder.dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile() && !d.name.startsWith('.'))
    .map((d) => path.relative(folder.dir, path.join(d.parentPath ?? d.path, d.name)))
    .sort();
  const files: FolderFileInfo[] = [];
  for (const file of names) {
    const full = path.join(folder.dir, file);
    files.push({ file, bytes: (await stat(full)).size, sha256: hash ? await sha256File(full) : null });
  }
  const taps: TapsInfo[] = [];
  for (const file of names.filter((n) => n.endsWith('.taps.json'))) {
    const parsed = await readFile(path.join(folder.dir, file), 'utf8').then((t) => JSON.parse(t) as TapsManifest).catch(() => null);
    if (parsed?.format === TAPS_FORMAT) taps.push({ manifest: file, taps: parsed.taps.length, totalUnits: parsed.totalUnits, unitWidth: parsed.unitWidth, groups: parsed.taps.map((t) => t.group) });
  }
  const rel = (p: string) => path.relative(folder.dir, p);
  return {
    dir: folder.dir,
    kind: folder.kind,
    name: m?.name ?? path.basename(folder.dir),
    tiny: m?.tiny ?? false,
    configs: { transformer: m?.transformer.config ?? null, textEncoder: m?.textEncoder?.config ?? null },
    weights: { transformer: m?.transformer.weights ?? null, textEncoder: m?.textEncoder?.weights ?? null },
    weightsKind: modelKindOf(m),
    seeds: m?.seeds ?? {},
    baseModel: m?.baseModel ?? null,
    quantization: { transformer: m?.transformer.quantization ?? null, textEncoder: m?.textEncoder?.quantization ?? null },
    resolution: m?.resolution ?? DEFAULT_RESOLUTION,
    transformer: { file: rel(folder.transformer.path), naming: folder.transformerIo.naming, io: transformerRoles(folder.transformerIo), inputs: folder.transformer.inputs, outputs: folder.transformer.outputs },
    textEncoder:
      folder.textEncoder && folder.textEncoderIo
        ? { file: rel(folder.textEncoder.path), naming: 'transformers', io: { ...folder.textEncoderIo }, inputs: folder.textEncoder.inputs, outputs: folder.textEncoder.outputs }
        : null,
    vae: folder.vae
      ? {
          encoder: { file: rel(folder.vae.encoder.path), io: { image: 'image', latents: 'latents' }, inputs: folder.vae.encoder.inputs, outputs: folder.vae.encoder.outputs },
          decoder: { file: rel(folder.vae.decoder.path), io: { latents: 'latents', image: 'image' }, inputs: folder.vae.decoder.inputs, outputs: folder.vae.decoder.outputs },
          config: m?.vae?.config ?? null,
          weights: m?.vae?.weights ?? null,
        }
      : null,
    sampler: folder.sampler,
    tokenizerDir: folder.tokenizerDir === null ? null : rel(folder.tokenizerDir) || '.',
    promptEmbeddings: folder.promptEmbeddings === null ? null : rel(folder.promptEmbeddings),
    files,
    taps,
  };
}

function transformerRoles({ naming: _naming, ...roles }: TransformerIo): Record<string, string> {
  return roles;
}
