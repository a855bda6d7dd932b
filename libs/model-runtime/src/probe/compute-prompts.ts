import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason, readCachedUnits, writeCachedUnits } from '@moral-plantain/formats';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { DeviceFallback, ModelSession, ResolvedDevice } from '../session/create-session.js';
import { embeddingStore, type EmbeddingStore } from './embedding-store.js';
import { encodePhase } from './encode-phase.js';
import type { ProbeError } from './probe-error.js';
import type { ProbeOptions } from './probe-options.js';
import type { PreparedProbe } from './probe-preparation.js';
import type { BatchRange } from './probe-parts.js';
import type { ProbeProgress } from './probe-progress.js';
import { probeSessions } from './probe-sessions.js';
import { stackEmbeddings, type ProbeJob } from './text-step.js';
import { createNoiseCache, runTransformer } from './transformer-step.js';

/** What computing the prompts of a run (or of a part of it) did. */
export interface ComputedPrompts {
  /** The per-unit vector of every job of the range, by job id (`jobId`: the prompt, with the references' key when there are per-pair references). */
  readonly vectors: ReadonlyMap<string, Float32Array>;
  /** Prompts of the range served from the cache. */
  readonly cached: number;
  readonly sessions: { readonly device: ResolvedDevice | null; readonly fallbacks: readonly DeviceFallback[]; readonly notes: readonly string[] };
  readonly seconds: { readonly load: number; readonly encode: number; readonly transformer: number };
  /** Text embeddings of the batches still to run: computed by the text encoder, and found cached (or precomputed). */
  readonly embeddings: { readonly encoded: number; readonly cached: number };
}

/** Where the embeddings of a run are kept: `embeddingsCacheDir`, else `<cacheDir>/embeddings`, else memory (undefined). */
export function embeddingsFolder(options: Pick<ProbeOptions, 'cacheDir' | 'embeddingsCacheDir'>): string | undefined {
  return options.embeddingsCacheDir ?? (options.cacheDir === undefined ? undefined : path.join(options.cacheDir, 'embeddings'));
}

/**
 * The per-unit vectors of the jobs in `range` (batches of the run's fixed partition,
 * `PreparedProbe.batches`): read from the cache when there (unless `options.recompute`), else
 * computed in two phases with one model resident at a time. First every prompt of the batches
 * still to compute is embedded (`encodePhase`: the text encoder only, its embeddings cached), and
 * the text encoder is released; then the transformer opens and runs those batches, each finished
 * prompt written to the cache at once (atomically). Batches are a fixed partition of the run's
 * prompts, so a resumed run, or one part of a divided run, computes exactly the batches an
 * uninterrupted whole run would. Sessions open only when needed (all cached: none); the run's
 * own are released at the end, a pool's text encoder as soon as its phase ends. With `phases`
 * `encode`, only the encode phase runs (the embeddings are cached for a later run).
 */
export async function computePrompts(
  folder: ModelFolder,
  prepared: PreparedProbe,
  range: BatchRange,
  options: ProbeOptions,
  progress: (event: ProbeProgress) => void,
  phases: 'all' | 'encode' = 'all',
): Promise<E.Either<ProbeError, ComputedPrompts>> {
  const batches = prepared.batches.slice(range.first, range.end);
  const jobs = batches.flat();
  const vectors = options.cacheDir === undefined || options.recompute ? new Map<string, Float32Array>() : await cachedVectors(options.cacheDir, jobs, prepared.manifest.totalUnits);
  const cached = vectors.size;
  const pending = batches.filter((batch) => !batch.every((job) => vectors.has(job.id)));
  const stopped = (): ProbeError | null => (options.signal?.aborted ? { _tag: 'Aborted', done: vectors.size, total: jobs.length } : null);
  const sessions = probeSessions(options.session ?? {}, options.sessions, options.onSessionEvent);
  const seconds = { load: 0, encode: 0, transformer: 0 };
  let transformer: ModelSession | null = null;
  let encoderNotes: readonly string[] = [];
  let embeddings = { encoded: 0, cached: 0 };
  try {
    const store = options.recompute ? recomputingStore(embeddingsFolder(options)) : embeddingStore(embeddingsFolder(options));
    const encoded = await encodePhase(folder, prepared, pending, store, sessions, stopped, progress);
    if (E.isLeft(encoded)) return encoded;
    encoderNotes = encoded.right.notes;
    seconds.load += encoded.right.seconds.load;
    seconds.encode += encoded.right.seconds.encode;
    embeddings = { encoded: encoded.right.encoded, cached: encoded.right.stored };
    if (phases === 'encode') return E.right({ vectors, cached, sessions: { device: null, fallbacks: [], notes: encoderNotes }, seconds, embeddings });

    const noiseCache = createNoiseCache();
    let computed = 0;
    const eta = () => (computed === 0 ? null : (seconds.transformer / computed) * (jobs.length - vectors.size));
    const report = (stage: 'load' | 'transformer') => progress({ stage, done: vectors.size, total: jobs.length, cached, etaSeconds: eta() });
    for (const batch of pending) {
      const stop = stopped();
      if (stop) return E.left(stop);
      if (!transformer) {
        report('load');
        const loadStart = performance.now();
        const opened = await sessions.open('transformer', prepared.tappedPath);
        if (E.isLeft(opened)) return opened;
        transformer = opened.right;
        seconds.load += (performance.now() - loadStart) / 1000;
        report('transformer');
      }
      const text = await batchEmbeddings(batch, store, embeddingsFolder(options) ?? 'memory');
      if (E.isLeft(text)) return text;
      const runStart = performance.now();
      const rows = await runTransformer(transformer, folder, prepared.manifest, text.right, prepared.resolved.seed, prepared.resolved.resolution, noiseCache, batch[0]!.references?.tokens ?? null)();
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
      report('transformer');
    }
  } finally {
    await sessions.releaseOwned();
  }
  const notes = [...(transformer?.notes ?? []), ...encoderNotes];
  return E.right({ vectors, cached, sessions: { device: transformer?.device ?? null, fallbacks: transformer?.fallbacks ?? [], notes }, seconds, embeddings });
}

/** The batch's embeddings from the store, stacked [B, S_txt, D_txt]; the encode phase made every one ready. */
async function batchEmbeddings(batch: readonly ProbeJob[], store: EmbeddingStore, dir: string) {
  const items = [];
  for (const job of batch) {
    const embedding = await store.get(job);
    if (!embedding) return E.left<ProbeError>({ _tag: 'EmbeddingLost', dir, prompt: job.prompt });
    items.push({ prompt: job.prompt, embedding });
  }
  return stackEmbeddings(items);
}

/** With `recompute`, every embedding is computed again (nothing is read from the cache), and written to it. */
function recomputingStore(dir: string | undefined): EmbeddingStore {
  const memory = embeddingStore(undefined);
  const cache = embeddingStore(dir);
  return {
    get: (job) => memory.get(job),
    async put(job, embedding) {
      const kept = await memory.put(job, embedding);
      return E.isLeft(kept) || dir === undefined ? kept : cache.put(job, embedding);
    },
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
