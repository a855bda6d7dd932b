import * as E from 'fp-ts/lib/Either.js';
import { errorReason, readCachedUnits, writeCachedUnits } from '@moral-plantain/formats';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { createSession, type DeviceFallback, type ModelSession, type ResolvedDevice, type SessionOptions } from '../session/create-session.js';
import type { SessionPool } from '../session/session-pool.js';
import type { ProbeError } from './probe-error.js';
import type { ProbeOptions } from './probe-options.js';
import type { PreparedProbe } from './probe-preparation.js';
import type { BatchRange } from './probe-parts.js';
import type { ProbeStage } from './probe-progress.js';
import { embedBatch, type ProbeJob } from './text-step.js';
import { createNoiseCache, runTransformer } from './transformer-step.js';

/** What computing the prompts of a run (or of a part of it) did. */
export interface ComputedPrompts {
  /** The per-unit vector of every job of the range, by job id (`jobId`: the prompt, with the references' key when there are per-pair references). */
  readonly vectors: ReadonlyMap<string, Float32Array>;
  /** Prompts of the range served from the cache. */
  readonly cached: number;
  readonly sessions: { readonly device: ResolvedDevice | null; readonly fallbacks: readonly DeviceFallback[]; readonly notes: readonly string[] };
  readonly seconds: { readonly load: number; readonly encode: number; readonly transformer: number };
}

/**
 * The per-unit vectors of the jobs in `range` (batches of the run's fixed partition, `PreparedProbe.batches`): read from the cache when there (unless `options.recompute`), else computed
 * batch by batch, each finished prompt written to the cache at once (atomically). Batches are a
 * fixed partition of the run's prompts, so a resumed run, or one part of a divided run, computes
 * exactly the batches an uninterrupted whole run would. Sessions open at the first batch to compute;
 * they are released at the end unless they came from `options.sessions`.
 */
export async function computePrompts(
  folder: ModelFolder,
  prepared: PreparedProbe,
  range: BatchRange,
  options: ProbeOptions,
  progress: (stage: ProbeStage, done: number, cached: number, etaSeconds: number | null) => void,
): Promise<E.Either<ProbeError, ComputedPrompts>> {
  const batches = prepared.batches.slice(range.first, range.end);
  const jobs = batches.flat();
  const vectors = options.cacheDir === undefined || options.recompute ? new Map<string, Float32Array>() : await cachedVectors(options.cacheDir, jobs, prepared.manifest.totalUnits);
  const cached = vectors.size;
  const seconds = { load: 0, encode: 0, transformer: 0 };
  const noiseCache = createNoiseCache();
  let sessions: Sessions | null = null;
  let computed = 0;
  const eta = () => (computed === 0 ? null : ((seconds.encode + seconds.transformer) / computed) * (jobs.length - vectors.size));
  const report = (stage: ProbeStage) => progress(stage, vectors.size, cached, eta());
  try {
    for (const batch of batches) {
      if (batch.every((job) => vectors.has(job.id))) continue;
      if (options.signal?.aborted) return E.left({ _tag: 'Aborted', done: vectors.size, total: jobs.length });
      if (!sessions) {
        report('load');
        const loadStart = performance.now();
        const opened = await openSessions(prepared.tappedPath, folder, prepared.text.kind === 'encoder', options.session ?? {}, options.sessions);
        if (E.isLeft(opened)) return opened;
        sessions = opened.right;
        seconds.load += (performance.now() - loadStart) / 1000;
      }
      report('encode');
      const encodeStart = performance.now();
      const embeddings = await embedBatch(batch, sessions.textEncoder, folder.textEncoderIo)();
      if (E.isLeft(embeddings)) return embeddings;
      seconds.encode += (performance.now() - encodeStart) / 1000;
      const runStart = performance.now();
      const rows = await runTransformer(sessions.transformer, folder, prepared.manifest, embeddings.right, prepared.resolved.seed, prepared.resolved.resolution, noiseCache, batch[0]!.references?.tokens ?? null)();
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
    if (sessions?.owned) {
      await sessions.transformer.session.release();
      await sessions.textEncoder?.session.release();
    }
  }
  const notes = sessions ? [...sessions.transformer.notes, ...(sessions.textEncoder?.notes ?? [])] : [];
  return E.right({ vectors, cached, sessions: { device: sessions?.transformer.device ?? null, fallbacks: sessions?.transformer.fallbacks ?? [], notes }, seconds });
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

interface Sessions {
  readonly transformer: ModelSession;
  readonly textEncoder: ModelSession | null;
  /** Whether the run opened them itself (then it releases them). */
  readonly owned: boolean;
}

async function openSessions(tappedPath: string, folder: ModelFolder, withEncoder: boolean, sessionOptions: SessionOptions, pool: SessionPool | undefined): Promise<E.Either<ProbeError, Sessions>> {
  const open = (slot: string, model: string) => (pool ? pool.session(slot, model, sessionOptions) : createSession(model, sessionOptions));
  const transformer = await open('transformer', tappedPath)();
  if (E.isLeft(transformer)) return E.left({ _tag: 'Session', error: transformer.left });
  const owned = pool === undefined;
  if (!withEncoder || !folder.textEncoder) return E.right({ transformer: transformer.right, textEncoder: null, owned });
  const textEncoder = await open('text-encoder', folder.textEncoder.path)();
  if (E.isLeft(textEncoder)) {
    if (owned) await transformer.right.session.release();
    return E.left({ _tag: 'Session', error: textEncoder.left });
  }
  return E.right({ transformer: transformer.right, textEncoder: textEncoder.right, owned });
}
