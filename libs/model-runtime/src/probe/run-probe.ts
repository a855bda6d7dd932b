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
import { probeJobs, textSource, type TextSource } from './probe-jobs.js';
import { resolveProbeOptions, type ProbeOptions, type ResolvedProbeOptions } from './probe-options.js';
import type { ProbeProgress, ProbeStage } from './probe-progress.js';
import { tapConfig, tapTransformer } from './tap-transformer.js';
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
  /** Device the transformer ran on (null when every prompt came from the cache). */
  readonly device: ResolvedDevice | null;
  /** GPU providers tried before `device` for the transformer, and why each did not load. */
  readonly fallbacks: readonly DeviceFallback[];
  /** Why a session is not on the requested device, in words (transformer and text encoder). */
  readonly notes: readonly string[];
  readonly prompts: { readonly total: number; readonly computed: number; readonly cached: number };
  /** Wall time per stage in seconds. */
  readonly seconds: { readonly tap: number; readonly load: number; readonly encode: number; readonly transformer: number; readonly total: number };
}

/**
 * The one-step probe: for every prompt of every pair, the text embedding (text encoder or file),
 * then the tapped transformer on the same seeded noise, the FLUX.2 position ids and timestep 1.0;
 * the tap outputs, concatenated in manifest order, are the prompt's per-unit vector. Finished
 * prompts are cached (when `cacheDir` is set) so an interrupted run resumes bit-identically.
 */
export function runProbe(folder: ModelFolder, options: ProbeOptions): TE.TaskEither<ProbeError, ProbeResult> {
  return async () => {
    const started = performance.now();
    const resolved = resolveProbeOptions(folder, options);
    if (E.isLeft(resolved)) return resolved;
    const { seed, resolution, prompts } = resolved.right;
    const emit = (stage: ProbeStage, done: number, cached: number, etaSeconds: number | null) => options.onProgress?.({ stage, done, total: prompts.length, cached, etaSeconds } satisfies ProbeProgress);

    emit('tap', 0, 0, null);
    const tapStart = performance.now();
    const transformerFingerprint = await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path));
    const tapped = await tapTransformer(folder.transformer.path, transformerFingerprint, options.taps ?? {}, options.tappedDir);
    if (E.isLeft(tapped)) return E.left({ _tag: 'TapFailed', errors: tapped.left });
    const { manifest } = tapped.right;
    const tapSeconds = (performance.now() - tapStart) / 1000;

    const text = await textSource(folder, options)();
    if (E.isLeft(text)) return text;
    const taps = tapConfig(options.taps ?? {});
    const jobs = probeJobs(prompts, text.right, { transformer: transformerFingerprint, seed, resolution: [resolution[0], resolution[1]], timestep: PROBE_TIMESTEP, taps });
    if (E.isLeft(jobs)) return jobs;

    const vectors = options.cacheDir === undefined ? new Map<string, Float32Array>() : await cachedVectors(options.cacheDir, jobs.right, manifest.totalUnits);
    const cached = vectors.size;
    const computed = await computeMissing(tapped.right.modelPath, folder, text.right, jobs.right, vectors, resolved.right, manifest, options, (stage, eta) => emit(stage, vectors.size, cached, eta));
    if (E.isLeft(computed)) return computed;

    const activations = assemble(options, vectors, manifest, {
      model: modelName(folder),
      modelFingerprint: transformerFingerprint,
      seed: String(seed),
      resolution: JSON.stringify(resolution),
      timestep: String(PROBE_TIMESTEP),
      units: JSON.stringify({ ...taps, reduction: 'rms over tokens and the unit channels of each tapped linear input' }),
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
    emit('done', vectors.size, cached, 0);
    const { sessions, seconds } = computed.right;
    const weightSeed = folder.manifest?.seeds.transformer;
    return E.right({
      activations,
      manifest,
      tappedModel: tapped.right.modelPath,
      modelFingerprint: transformerFingerprint,
      model: { name: modelName(folder), kind: modelKindOf(folder.manifest), ...(weightSeed !== undefined ? { weightSeed } : {}) },
      resolution,
      unit: unitDefinition(options.taps ?? {}, manifest),
      device: sessions.device,
      fallbacks: sessions.fallbacks,
      notes: sessions.notes,
      prompts: { total: jobs.right.length, computed: jobs.right.length - cached, cached },
      seconds: { tap: tapSeconds, ...seconds, total: (performance.now() - started) / 1000 },
    });
  };
}

/** The cache entries of the jobs that have one, by prompt. */
async function cachedVectors(cacheDir: string, jobs: readonly ProbeJob[], units: number): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  for (const job of jobs) {
    const hit = await readCachedUnits(cacheDir, job.key, units);
    if (hit) vectors.set(job.prompt, hit);
  }
  return vectors;
}

interface Computed {
  readonly sessions: { readonly device: ResolvedDevice | null; readonly fallbacks: readonly DeviceFallback[]; readonly notes: readonly string[] };
  readonly seconds: { readonly load: number; readonly encode: number; readonly transformer: number };
}

/**
 * Computes every job without a vector, batch by batch, writing each finished prompt to the cache.
 * Batches are a fixed partition of the run's prompts, so a resumed run recomputes exactly the
 * batches an uninterrupted one would. Sessions open at the first batch to compute and are always
 * released.
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
    for (let start = 0; start < jobs.length; start += resolved.batchSize) {
      const batch = jobs.slice(start, start + resolved.batchSize);
      if (batch.every((job) => vectors.has(job.prompt))) continue;
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
      const rows = await runTransformer(sessions.transformer, folder, manifest, embeddings.right, resolved.seed, resolved.resolution, noiseCache)();
      if (E.isLeft(rows)) return rows;
      seconds.transformer += (performance.now() - runStart) / 1000;
      for (const [i, job] of batch.entries()) {
        if (vectors.has(job.prompt)) continue;
        const row = rows.right[i]!;
        vectors.set(job.prompt, row);
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

function assemble(options: ProbeOptions, vectors: ReadonlyMap<string, Float32Array>, manifest: TapsManifest, metadata: Record<string, string>): Activations {
  const units = manifest.totalUnits;
  const n = options.pairs.length;
  const a = new Float64Array(n * units);
  const b = new Float64Array(n * units);
  for (const [i, pair] of options.pairs.entries()) {
    a.set(vectors.get(pair.a)!, i * units);
    b.set(vectors.get(pair.b)!, i * units);
  }
  // The model's outputs are float32, as the activations file stores them.
  return { nPairs: n, nUnits: units, a: ndarray(a, [n, units]), b: ndarray(b, [n, units]), dtype: 'F32', pairs: options.pairs.map((p) => p.id), groups: unitGroups(manifest), taps: manifest, metadata };
}

function modelName(folder: ModelFolder): string {
  return folder.manifest?.name ?? folder.dir.split(/[\\/]/).pop() ?? folder.dir;
}
