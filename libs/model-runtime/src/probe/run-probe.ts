import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { unitGroups, type TapsManifest } from '@moral-plantain/hooks';
import { writeActivations, type Activations } from '../activations/activations-file.js';
import { fingerprintGraph, sha256 } from '../cache/model-fingerprint.js';
import { promptKey, readCachedUnits, writeCachedUnits, type PromptKeyParts } from '../cache/probe-cache.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { createSession, runSession, type ModelSession, type ResolvedDevice, type SessionOptions } from '../session/create-session.js';
import type { ProbeError } from './probe-error.js';
import { badIo, fail, isProbeError } from './probe-failure.js';
import { PROBE_TIMESTEP } from './probe-inputs.js';
import type { ProbeProgress } from './probe-progress.js';
import { readPromptEmbeddings, type PromptEmbedding, type PromptEmbeddings } from './prompt-embeddings.js';
import { tensorFor, toFloat32 } from './session-feeds.js';
import { tapConfig, tapTransformer, type ProbeTapOptions } from './tap-transformer.js';
import { createNoiseCache, runTransformer, type BatchEmbeddings } from './transformer-step.js';

/** One stimulus pair as plain data: its id and the two prompt texts. */
export interface ProbePair {
  readonly id: string;
  readonly a: string;
  readonly b: string;
}

/** A tokenized prompt, padded to the text length the encoder expects (512 for FLUX.2 klein). */
export interface PromptTokens {
  readonly inputIds: ArrayLike<number>;
  readonly attentionMask: ArrayLike<number>;
}

/** Turns a prompt into token ids and an attention mask (the Qwen3 chat template + tokenizer for real models). */
export type Tokenize = (prompt: string) => PromptTokens | Promise<PromptTokens>;

export { PROBE_TIMESTEP } from './probe-inputs.js';

/** Options of `runProbe`. */
export interface ProbeOptions {
  readonly pairs: readonly ProbePair[];
  /** Tokenizer for the folder's text encoder (required when the embeddings come from it). */
  readonly tokenize?: Tokenize;
  /** Precomputed prompt embeddings (safetensors, see `PromptEmbeddings`); default: the folder's `prompt_embeds.safetensors` when it has no text encoder. */
  readonly promptEmbeddings?: string;
  /** Session options for both graphs (default: CPU, ONNX Runtime's threads, all optimizations). */
  readonly session?: SessionOptions;
  /** Noise seed (default 0). */
  readonly seed?: number;
  /** [height, width] in pixels, multiples of 16 (default: model.json's, else 1024 x 1024 = 64 x 64 latent tokens). */
  readonly resolution?: readonly [number, number];
  /** Prompts per transformer call (default 1); results equal batch size 1 within float rounding. */
  readonly batchSize?: number;
  /** Unit definition (flux2 preset; default 16 channels per unit, all channels, all tokens). */
  readonly taps?: ProbeTapOptions;
  /** Folder for the tapped graph (default: beside the transformer). */
  readonly tappedDir?: string;
  /** Folder of the resumable per-prompt cache (default: no cache). */
  readonly cacheDir?: string;
  /** Stops the run between batches; finished prompts stay in the cache. */
  readonly signal?: AbortSignal;
  /** Called at each stage and after each batch. */
  readonly onProgress?: (progress: ProbeProgress) => void;
  /** Activations file to write (default: none, only returned). */
  readonly out?: string;
  /** Content hash of the stimulus set, recorded in the activations metadata. */
  readonly stimuliHash?: string;
}

/** What a probe run produced. */
export interface ProbeResult {
  readonly activations: Activations;
  readonly manifest: TapsManifest;
  readonly tappedModel: string;
  /** Device the transformer ran on (null when every prompt came from the cache). */
  readonly device: ResolvedDevice | null;
  readonly notes: readonly string[];
  readonly prompts: { readonly total: number; readonly computed: number; readonly cached: number };
  /** Wall time per stage in seconds. */
  readonly seconds: { readonly tap: number; readonly load: number; readonly encode: number; readonly transformer: number; readonly total: number };
}

interface Job {
  readonly prompt: string;
  readonly key: string;
  readonly tokens: PromptTokens | null;
  readonly embedding: PromptEmbedding | null;
}

interface Sessions {
  readonly transformer: ModelSession;
  readonly textEncoder: ModelSession | null;
}

/**
 * The one-step probe: for every prompt of every pair, the text embedding (text encoder or file),
 * then the tapped transformer on the same seeded noise, the FLUX.2 position ids and timestep 1.0;
 * the tap outputs, concatenated in manifest order, are the prompt's per-unit vector. Finished
 * prompts are cached (when `cacheDir` is set) so an interrupted run resumes bit-identically.
 */
export function runProbe(folder: ModelFolder, options: ProbeOptions): TE.TaskEither<ProbeError, ProbeResult> {
  return async () => {
    try {
      return E.right(await probe(folder, options));
    } catch (error) {
      if (isProbeError(error)) return E.left(error.probeError);
      throw error;
    }
  };
}

async function probe(folder: ModelFolder, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 1;
  const resolution = options.resolution ?? folder.manifest?.resolution ?? [1024, 1024];
  checkOptions(seed, batchSize, resolution, options.pairs);
  const prompts = [...new Set(options.pairs.flatMap((p) => [p.a, p.b]))];
  const emit = (stage: ProbeProgress['stage'], done: number, cached: number, etaSeconds: number | null) => options.onProgress?.({ stage, done, total: prompts.length, cached, etaSeconds });

  emit('tap', 0, 0, null);
  const tapStart = performance.now();
  const transformerFingerprint = await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path));
  const tapped = await tapTransformer(folder.transformer.path, transformerFingerprint, options.taps ?? {}, options.tappedDir);
  if (E.isLeft(tapped)) throw fail({ _tag: 'TapFailed', errors: tapped.left });
  const { manifest } = tapped.right;
  const tapSeconds = (performance.now() - tapStart) / 1000;

  const text = await textSource(folder, options);
  const taps = tapConfig(options.taps ?? {});
  const jobs: Job[] = [];
  for (const prompt of prompts) {
    const parts: Omit<PromptKeyParts, 'text'> = { transformer: transformerFingerprint, prompt, seed, resolution: [resolution[0], resolution[1]], timestep: PROBE_TIMESTEP, taps };
    if (text.kind === 'encoder') {
      const tokens = await text.tokenize(prompt);
      const ids = Float64Array.from(tokens.inputIds);
      const mask = Float64Array.from(tokens.attentionMask);
      jobs.push({ prompt, tokens, embedding: null, key: promptKey({ ...parts, text: { encoder: text.fingerprint, tokens: sha256(new Uint8Array([...new Uint8Array(ids.buffer), ...new Uint8Array(mask.buffer)])) } }) });
    } else {
      const embedding = text.embeddings.lookup(prompt);
      if (!embedding) throw fail({ _tag: 'MissingEmbedding', path: text.embeddings.path, prompt });
      jobs.push({ prompt, tokens: null, embedding, key: promptKey({ ...parts, text: { embeddings: sha256(new Uint8Array(embedding.data.buffer, embedding.data.byteOffset, embedding.data.byteLength)) } }) });
    }
  }

  const units = manifest.totalUnits;
  const vectors = new Map<string, Float32Array>();
  let cached = 0;
  if (options.cacheDir !== undefined) {
    for (const job of jobs) {
      const hit = await readCachedUnits(options.cacheDir, job.key, units);
      if (hit) {
        vectors.set(job.prompt, hit);
        cached++;
      }
    }
  }

  const seconds = { load: 0, encode: 0, transformer: 0 };
  const noiseCache = createNoiseCache();
  let sessions: Sessions | null = null;
  let computed = 0;
  try {
    for (let start = 0; start < jobs.length; start += batchSize) {
      // Batches are a fixed partition of the run's prompts, so a resumed run recomputes exactly the batches an uninterrupted one would.
      const batch = jobs.slice(start, start + batchSize);
      if (batch.every((job) => vectors.has(job.prompt))) continue;
      if (options.signal?.aborted) throw fail({ _tag: 'Aborted', done: vectors.size, total: jobs.length });
      if (!sessions) {
        emit('load', vectors.size, cached, null);
        const loadStart = performance.now();
        sessions = await openSessions(tapped.right.modelPath, folder, text.kind === 'encoder', options.session ?? {});
        seconds.load += (performance.now() - loadStart) / 1000;
      }
      emit('encode', vectors.size, cached, eta(seconds, computed, jobs.length - vectors.size));
      const encodeStart = performance.now();
      const embeddings = await embed(batch, sessions.textEncoder, folder);
      seconds.encode += (performance.now() - encodeStart) / 1000;
      const runStart = performance.now();
      const rows = await runTransformer(sessions.transformer, folder, manifest, embeddings, seed, resolution, noiseCache);
      seconds.transformer += (performance.now() - runStart) / 1000;
      for (const [i, job] of batch.entries()) {
        if (vectors.has(job.prompt)) continue;
        const row = rows[i]!;
        vectors.set(job.prompt, row);
        computed++;
        if (options.cacheDir !== undefined) {
          await writeCachedUnits(options.cacheDir, job.key, row, job.prompt).catch((error: unknown) => {
            throw fail({ _tag: 'WriteFailed', path: options.cacheDir!, reason: String(error) });
          });
        }
      }
      emit('transformer', vectors.size, cached, eta(seconds, computed, jobs.length - vectors.size));
    }
  } finally {
    await sessions?.transformer.session.release();
    await sessions?.textEncoder?.session.release();
  }

  const activations = assemble(options, vectors, manifest, {
    model: folder.manifest?.name ?? folder.dir.split(/[\\/]/).pop() ?? folder.dir,
    modelFingerprint: transformerFingerprint,
    seed: String(seed),
    resolution: JSON.stringify(resolution),
    timestep: String(PROBE_TIMESTEP),
    units: JSON.stringify({ ...taps, reduction: 'rms over tokens and the unit channels of each tapped linear input' }),
    ...(options.stimuliHash !== undefined ? { stimuli: options.stimuliHash } : {}),
    ...(text.kind === 'embeddings' ? { promptEmbeddings: text.embeddings.path } : {}),
  });
  if (options.out !== undefined) {
    await writeActivations(options.out, activations).catch((error: unknown) => {
      throw fail({ _tag: 'WriteFailed', path: options.out!, reason: error instanceof Error ? error.message : String(error) });
    });
  }
  emit('done', vectors.size, cached, 0);
  return {
    activations,
    manifest,
    tappedModel: tapped.right.modelPath,
    device: sessions?.transformer.device ?? null,
    notes: sessions ? [...sessions.transformer.notes, ...(sessions.textEncoder?.notes ?? [])] : [],
    prompts: { total: jobs.length, computed, cached },
    seconds: { tap: tapSeconds, ...seconds, total: (performance.now() - started) / 1000 },
  };
}

type TextSource = { readonly kind: 'encoder'; readonly tokenize: Tokenize; readonly fingerprint: string } | { readonly kind: 'embeddings'; readonly embeddings: PromptEmbeddings };

async function textSource(folder: ModelFolder, options: ProbeOptions): Promise<TextSource> {
  const file = options.promptEmbeddings ?? (folder.textEncoder ? undefined : (folder.promptEmbeddings ?? undefined));
  if (file !== undefined) {
    const embeddings = await readPromptEmbeddings(file);
    if (E.isLeft(embeddings)) throw fail({ _tag: 'BadEmbeddings', path: file, reason: embeddings.left });
    return { kind: 'embeddings', embeddings: embeddings.right };
  }
  if (!folder.textEncoder) throw fail({ _tag: 'NoTextSource', dir: folder.dir });
  if (!options.tokenize) throw fail({ _tag: 'NoTokenizer' });
  return { kind: 'encoder', tokenize: options.tokenize, fingerprint: await fingerprintGraph(folder.textEncoder.path, folder.textEncoder.externalData.map((d) => d.path)) };
}

async function openSessions(tappedPath: string, folder: ModelFolder, withEncoder: boolean, sessionOptions: SessionOptions): Promise<Sessions> {
  const transformer = await createSession(tappedPath, sessionOptions)();
  if (E.isLeft(transformer)) throw fail({ _tag: 'Session', error: transformer.left });
  if (!withEncoder || !folder.textEncoder) return { transformer: transformer.right, textEncoder: null };
  const textEncoder = await createSession(folder.textEncoder.path, sessionOptions)();
  if (E.isLeft(textEncoder)) {
    await transformer.right.session.release();
    throw fail({ _tag: 'Session', error: textEncoder.left });
  }
  return { transformer: transformer.right, textEncoder: textEncoder.right };
}


/** The batch's prompt embeddings [B, S_txt, D_txt] as float32, from the text encoder or the embeddings file. */
async function embed(batch: readonly Job[], encoder: ModelSession | null, folder: ModelFolder): Promise<BatchEmbeddings> {
  if (batch.every((job) => job.embedding)) {
    const first = batch[0]!.embedding!;
    const data = new Float32Array(batch.length * first.data.length);
    for (const [i, job] of batch.entries()) {
      if (job.embedding!.tokens !== first.tokens || job.embedding!.width !== first.width) throw badIo('prompt embeddings file', `prompt ${JSON.stringify(job.prompt)} has embedding [${job.embedding!.tokens}, ${job.embedding!.width}], another has [${first.tokens}, ${first.width}]`);
      data.set(job.embedding!.data, i * first.data.length);
    }
    return { data, batch: batch.length, tokens: first.tokens, width: first.width };
  }
  const io = folder.textEncoderIo!;
  const session = encoder!;
  const length = batch[0]!.tokens!.inputIds.length;
  const ids = new Int32Array(batch.length * length);
  const mask = new Int32Array(batch.length * length);
  for (const [i, job] of batch.entries()) {
    const tokens = job.tokens!;
    if (tokens.inputIds.length !== length || tokens.attentionMask.length !== length) throw badIo('tokenizer', `prompts tokenize to different lengths (${length} and ${tokens.inputIds.length}); pad every prompt to the same length`);
    ids.set(Int32Array.from(tokens.inputIds), i * length);
    mask.set(Int32Array.from(tokens.attentionMask), i * length);
  }
  const dims = [batch.length, length];
  const feeds = { [io.inputIds]: tensorFor(session, io.inputIds, ids, dims), [io.attentionMask]: tensorFor(session, io.attentionMask, mask, dims) };
  const out = await runSession(session, feeds, [io.embeddings])();
  if (E.isLeft(out)) throw fail({ _tag: 'Session', error: out.left });
  const tensor = out.right[io.embeddings]!;
  const [b, s, d] = tensor.dims as [number, number, number];
  if (tensor.dims.length !== 3 || b !== batch.length) throw badIo(session.source, `output ${io.embeddings} has shape [${tensor.dims.join(', ')}], expected [${batch.length}, S_txt, D_txt]`);
  return { data: toFloat32(tensor), batch: b, tokens: s, width: d };
}



function assemble(options: ProbeOptions, vectors: ReadonlyMap<string, Float32Array>, manifest: TapsManifest, metadata: Record<string, string>): Activations {
  const units = manifest.totalUnits;
  const n = options.pairs.length;
  const a = new Float64Array(n * units);
  const b = new Float64Array(n * units);
  for (const [i, pair] of options.pairs.entries()) {
    a.set(vectors.get(pair.a)!, i * units);
    b.set(vectors.get(pair.b)!, i * units);
  }
  return { nPairs: n, nUnits: units, a, b, pairs: options.pairs.map((p) => p.id), groups: unitGroups(manifest), metadata };
}

function eta(seconds: { encode: number; transformer: number }, computed: number, remaining: number): number | null {
  return computed === 0 ? null : ((seconds.encode + seconds.transformer) / computed) * remaining;
}

function checkOptions(seed: number, batchSize: number, resolution: readonly number[], pairs: readonly ProbePair[]): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw fail({ _tag: 'InvalidProbeOption', option: 'seed', reason: `is ${seed}, expected an integer 0 <= seed < 2^53` });
  if (!Number.isInteger(batchSize) || batchSize < 1) throw fail({ _tag: 'InvalidProbeOption', option: 'batchSize', reason: `is ${batchSize}, expected a positive integer` });
  if (resolution.length !== 2 || !resolution.every((v) => Number.isInteger(v) && v > 0 && v % 16 === 0)) throw fail({ _tag: 'InvalidProbeOption', option: 'resolution', reason: `is [${resolution.join(', ')}], expected [height, width] in pixels, positive multiples of 16` });
  if (pairs.length === 0) throw fail({ _tag: 'InvalidProbeOption', option: 'pairs', reason: 'is empty' });
  const ids = new Set<string>();
  for (const pair of pairs) {
    if (ids.has(pair.id)) throw fail({ _tag: 'InvalidProbeOption', option: 'pairs', reason: `repeat the id ${JSON.stringify(pair.id)}` });
    ids.add(pair.id);
  }
}

