import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import {
  fingerprintGraph,
  errorReason,
  modelKindOf,
  readCachedUnits,
  writeActivations,
  writeCachedUnits,
  type Activations,
  type ModelKind,
  type UnitDefinition,
} from '@moral-plantain/formats';
import { unitGroups, type TapsManifest } from '@moral-plantain/hooks';
import ndarray from 'ndarray';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { createSession, type DeviceFallback, type ModelSession, type ResolvedDevice, type SessionOptions } from '../session/create-session.js';
import type { ProbeError } from './probe-error.js';
import { PROBE_TIMESTEP } from './probe-inputs.js';
import { jobId, jobSpecs, probeJobs, textSource, textTokenCount, type TextSource } from './probe-jobs.js';
import { resolveProbeOptions, type ProbeOptions, type ResolvedProbeOptions } from './probe-options.js';
import type { ProbeProgress, ProbeStage } from './probe-progress.js';
import { prepareReferences, type PreparedReferences, type ReferenceImageInfo } from './probe-references.js';
import { tapConfig, tapTransformer, textAndNoisyRanges } from './tap-transformer.js';
import { latentGrid } from './probe-inputs.js';
import { embedBatch, type ProbeJob } from './text-step.js';
import { createNoiseCache, runTransformer } from './transformer-step.js';
import { unitDefinition } from './unit-definition.js';

/** What a probe run produced, and what it ran: the data provenance is assembled from. */
export interface ProbeResult {
  readonly activations: Activations;
  readonly manifest: TapsManifest;
  readonly tappedModel: string;
  /** The transformer's fingerprint (`fingerprintGraph`), which keys the cache. */
  readonly modelFingerprint: string;
  /** The probed model: its name and the kind of its weights. */
  readonly model: { readonly name: string; readonly kind: ModelKind; readonly weightSeed?: number };
  /** [height, width] in pixels, as run. */
  readonly resolution: readonly [number, number];
  /** The unit definition, as run. */
  readonly unit: UnitDefinition;
  /** The reference images the prompts were conditioned on, or null for none. */
  readonly references: {
    readonly kind: 'shared' | 'per-pair';
    readonly images: readonly ReferenceImageInfo[];
    readonly imagesPerPrompt: number;
    readonly tokensPerPrompt: { readonly min: number; readonly max: number };
  } | null;
  /** Device the transformer ran on (null when every prompt came from the cache). */
  readonly device: ResolvedDevice | null;
  /** GPU providers tried before `device` for the transformer, and why each did not load. */
  readonly fallbacks: readonly DeviceFallback[];
  /** Why a session is not on the requested device, in words (transformer and text encoder). */
  readonly notes: readonly string[];
  readonly prompts: { readonly total: number; readonly computed: number; readonly cached: number };
  /** Wall time per stage in seconds. */
  readonly seconds: { readonly references: number; readonly tap: number; readonly load: number; readonly encode: number; readonly transformer: number; readonly total: number };
}

/**
 * The one-step probe: for every prompt of every pair, the text embedding (text encoder or file),
 * then the tapped transformer on the same seeded noise, the FLUX.2 position ids and timestep 1.0
 * (and, with reference images, their tokens after the noisy ones, both prompts of a pair seeing the
 * same images); the tap outputs, concatenated in manifest order, are the prompt's per-unit vector.
 * Finished prompts are cached (when `cacheDir` is set) so an interrupted run resumes bit-identically.
 */
export function runProbe(folder: ModelFolder, options: ProbeOptions): TE.TaskEither<ProbeError, ProbeResult> {
  return async () => {
    const started = performance.now();
    const resolved = resolveProbeOptions(folder, options);
    if (E.isLeft(resolved)) return resolved;
    const { seed, resolution } = resolved.right;
    const emit = (stage: ProbeStage, done: number, total: number, cached: number, etaSeconds: number | null) => options.onProgress?.({ stage, done, total, cached, etaSeconds } satisfies ProbeProgress);

    const text = await textSource(folder, options)();
    if (E.isLeft(text)) return text;
    let references: PreparedReferences | null = null;
    const referencesStart = performance.now();
    if (options.references) {
      emit('references', 0, options.pairs.length, 0, null);
      const prepared = await prepareReferences(folder, options.references, options.pairs, options.session ?? {})();
      if (E.isLeft(prepared)) return prepared;
      references = prepared.right;
    }
    const referencesSeconds = (performance.now() - referencesStart) / 1000;
    const specs = jobSpecs(options.pairs, (pairId) => references?.forPair(pairId) ?? null);

    emit('tap', 0, specs.length, 0, null);
    const tapStart = performance.now();
    const textTokens = textTokenCount(text.right, options.pairs[0]!.a);
    if (E.isLeft(textTokens)) return textTokens;
    const { rows, cols } = latentGrid(resolution[0], resolution[1]);
    const groupTokens = references && options.taps?.unitTokens === 'text-and-noisy' ? textAndNoisyRanges(textTokens.right, rows * cols) : null;
    const transformerFingerprint = await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path));
    const tapped = await tapTransformer(folder.transformer.path, transformerFingerprint, options.taps ?? {}, options.tappedDir, groupTokens);
    if (E.isLeft(tapped)) return E.left({ _tag: 'TapFailed', errors: tapped.left });
    const { manifest } = tapped.right;
    const tapSeconds = (performance.now() - tapStart) / 1000;

    const taps = tapConfig(options.taps ?? {}, groupTokens);
    const jobs = probeJobs(specs, text.right, { transformer: transformerFingerprint, seed, resolution: [resolution[0], resolution[1]], timestep: PROBE_TIMESTEP, taps });
    if (E.isLeft(jobs)) return jobs;
    const emitJobs = (stage: ProbeStage, done: number, cached: number, etaSeconds: number | null) => emit(stage, done, jobs.right.length, cached, etaSeconds);

    const vectors = options.cacheDir === undefined ? new Map<string, Float32Array>() : await cachedVectors(options.cacheDir, jobs.right, manifest.totalUnits);
    const cached = vectors.size;
    const computed = await computeMissing(tapped.right.modelPath, folder, text.right, jobs.right, vectors, resolved.right, manifest, options, (stage, eta) => emitJobs(stage, vectors.size, cached, eta));
    if (E.isLeft(computed)) return computed;

    const activations = assemble(options, vectors, manifest, (pairId) => references?.forPair(pairId) ?? null, {
      model: modelName(folder),
      modelFingerprint: transformerFingerprint,
      seed: String(seed),
      resolution: JSON.stringify(resolution),
      timestep: String(PROBE_TIMESTEP),
      units: JSON.stringify({ ...taps, reduction: 'rms over tokens and the unit channels of each tapped linear input', ...(references ? { unitTokens: options.taps?.unitTokens ?? 'all' } : {}) }),
      ...(references ? { references: JSON.stringify({ kind: references.kind, images: references.images.map((i) => ({ path: i.path, sha256: i.sha256 })) }) } : {}),
      ...(options.stimuliHash !== undefined ? { stimuli: options.stimuliHash } : {}),
      ...(text.right.kind === 'embeddings' ? { promptEmbeddings: text.right.embeddings.path } : {}),
    });
    if (options.out !== undefined) {
      const out = options.out;
      const written = await writeActivations(out, activations).then(
        () => E.right(true),
        (error: unknown) => E.left<ProbeError>({ _tag: 'WriteFailed', path: out, reason: errorReason(error) }),
      );
      if (E.isLeft(written)) return written;
    }
    emitJobs('done', vectors.size, cached, 0);
    const { sessions, seconds } = computed.right;
    const weightSeed = folder.manifest?.seeds.transformer;
    return E.right({
      activations,
      manifest,
      tappedModel: tapped.right.modelPath,
      modelFingerprint: transformerFingerprint,
      model: { name: modelName(folder), kind: modelKindOf(folder.manifest), ...(weightSeed !== undefined ? { weightSeed } : {}) },
      resolution,
      unit: unitDefinition(options.taps ?? {}, manifest, references !== null),
      references: references ? { kind: references.kind, images: references.images, imagesPerPrompt: references.imagesPerPrompt, tokensPerPrompt: references.tokensPerPrompt } : null,
      device: sessions.device,
      fallbacks: sessions.fallbacks,
      notes: sessions.notes,
      prompts: { total: jobs.right.length, computed: jobs.right.length - cached, cached },
      seconds: { references: referencesSeconds, tap: tapSeconds, ...seconds, total: (performance.now() - started) / 1000 },
    });
  };
}

/** The cache entries of the jobs that have one, by prompt. */
async function cachedVectors(cacheDir: string, jobs: readonly ProbeJob[], units: number): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  for (const job of jobs) {
    const hit = await readCachedUnits(cacheDir, job.key, units);
    if (hit) vectors.set(job.id, hit);
  }
  return vectors;
}

interface Computed {
  readonly sessions: { readonly device: ResolvedDevice | null; readonly fallbacks: readonly DeviceFallback[]; readonly notes: readonly string[] };
  readonly seconds: { readonly load: number; readonly encode: number; readonly transformer: number };
}

/**
 * Computes every job without a vector, batch by batch, writing each finished prompt to the cache.
 * Batches are a fixed partition of the run's jobs (consecutive jobs with the same reference images,
 * `batchSize` at a time), so a resumed run recomputes exactly the batches an uninterrupted one
 * would. Sessions open at the first batch to compute and are always released.
 */
async function computeMissing(
  tappedPath: string,
  folder: ModelFolder,
  text: TextSource,
  jobs: readonly ProbeJob[],
  vectors: Map<string, Float32Array>,
  resolved: ResolvedProbeOptions,
  manifest: TapsManifest,
  options: ProbeOptions,
  progress: (stage: ProbeStage, etaSeconds: number | null) => void,
): Promise<E.Either<ProbeError, Computed>> {
  const seconds = { load: 0, encode: 0, transformer: 0 };
  const noiseCache = createNoiseCache();
  let sessions: Sessions | null = null;
  let computed = 0;
  const eta = () => (computed === 0 ? null : ((seconds.encode + seconds.transformer) / computed) * (jobs.length - vectors.size));
  try {
    for (const batch of batchesOf(jobs, resolved.batchSize)) {
      if (batch.every((job) => vectors.has(job.id))) continue;
      if (options.signal?.aborted) return E.left({ _tag: 'Aborted', done: vectors.size, total: jobs.length });
      if (!sessions) {
        progress('load', null);
        const loadStart = performance.now();
        const opened = await openSessions(tappedPath, folder, text.kind === 'encoder', options.session ?? {});
        if (E.isLeft(opened)) return opened;
        sessions = opened.right;
        seconds.load += (performance.now() - loadStart) / 1000;
      }
      progress('encode', eta());
      const encodeStart = performance.now();
      const embeddings = await embedBatch(batch, sessions.textEncoder, folder.textEncoderIo)();
      if (E.isLeft(embeddings)) return embeddings;
      seconds.encode += (performance.now() - encodeStart) / 1000;
      const runStart = performance.now();
      const rows = await runTransformer(sessions.transformer, folder, manifest, embeddings.right, resolved.seed, resolved.resolution, noiseCache, batch[0]!.references?.tokens ?? null)();
      if (E.isLeft(rows)) return rows;
      seconds.transformer += (performance.now() - runStart) / 1000;
      for (const [i, job] of batch.entries()) {
        if (vectors.has(job.id)) continue;
        const row = rows.right[i]!;
        vectors.set(job.id, row);
        computed++;
        if (options.cacheDir !== undefined) {
          const cacheDir = options.cacheDir;
          const written = await writeCachedUnits(cacheDir, job.key, row, job.prompt).then(
            () => E.right(true),
            (error: unknown) => E.left<ProbeError>({ _tag: 'WriteFailed', path: cacheDir, reason: errorReason(error) }),
          );
          if (E.isLeft(written)) return written;
        }
      }
      progress('transformer', eta());
    }
  } finally {
    await sessions?.transformer.session.release();
    await sessions?.textEncoder?.session.release();
  }
  const notes = sessions ? [...sessions.transformer.notes, ...(sessions.textEncoder?.notes ?? [])] : [];
  return E.right({ sessions: { device: sessions?.transformer.device ?? null, fallbacks: sessions?.transformer.fallbacks ?? [], notes }, seconds });
}

/** Consecutive jobs with the same reference images, `size` at a time. */
function batchesOf(jobs: readonly ProbeJob[], size: number): ProbeJob[][] {
  const batches: ProbeJob[][] = [];
  for (const job of jobs) {
    const last = batches.at(-1);
    if (last && last.length < size && last[0]!.references?.key === job.references?.key) last.push(job);
    else batches.push([job]);
  }
  return batches;
}

interface Sessions {
  readonly transformer: ModelSession;
  readonly textEncoder: ModelSession | null;
}

async function openSessions(tappedPath: string, folder: ModelFolder, withEncoder: boolean, sessionOptions: SessionOptions): Promise<E.Either<ProbeError, Sessions>> {
  const transformer = await createSession(tappedPath, sessionOptions)();
  if (E.isLeft(transformer)) return E.left({ _tag: 'Session', error: transformer.left });
  if (!withEncoder || !folder.textEncoder) return E.right({ transformer: transformer.right, textEncoder: null });
  const textEncoder = await createSession(folder.textEncoder.path, sessionOptions)();
  if (E.isLeft(textEncoder)) {
    await transformer.right.session.release();
    return E.left({ _tag: 'Session', error: textEncoder.left });
  }
  return E.right({ transformer: transformer.right, textEncoder: textEncoder.right });
}

function assemble(options: ProbeOptions, vectors: ReadonlyMap<string, Float32Array>, manifest: TapsManifest, referencesOf: (pairId: string) => ProbeJob['references'], metadata: Record<string, string>): Activations {
  const units = manifest.totalUnits;
  const n = options.pairs.length;
  const a = new Float64Array(n * units);
  const b = new Float64Array(n * units);
  for (const [i, pair] of options.pairs.entries()) {
    const references = referencesOf(pair.id);
    a.set(vectors.get(jobId(pair.a, references))!, i * units);
    b.set(vectors.get(jobId(pair.b, references))!, i * units);
  }
  // The model's outputs are float32, as the activations file stores them.
  return { nPairs: n, nUnits: units, a: ndarray(a, [n, units]), b: ndarray(b, [n, units]), dtype: 'F32', pairs: options.pairs.map((p) => p.id), groups: unitGroups(manifest), taps: manifest, metadata };
}

function modelName(folder: ModelFolder): string {
  return folder.manifest?.name ?? folder.dir.split(/[\\/]/).pop() ?? folder.dir;
}
