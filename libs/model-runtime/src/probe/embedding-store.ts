import * as E from 'fp-ts/lib/Either.js';
import { errorReason, readCachedEmbedding, writeCachedEmbedding } from '@moral-plantain/formats';
import type { ProbeError } from './probe-error.js';
import type { PromptEmbedding } from './prompt-embeddings.js';
import type { ProbeJob } from './text-step.js';

/**
 * Where a run keeps the text embeddings of its prompts between the encode phase and the
 * transformer phase: a cache folder (one atomically written float32 safetensors file per prompt,
 * keyed by the text encoder's fingerprint and the tokens fed, so an interrupted run and later runs
 * reuse them), or memory. Prompts with precomputed embeddings (a file) need no store.
 */
export interface EmbeddingStore {
  /** The job's embedding: its precomputed one, else the stored one, else null. */
  get(job: ProbeJob): Promise<PromptEmbedding | null>;
  /** Keeps a job's embedding computed by the text encoder. */
  put(job: ProbeJob, embedding: PromptEmbedding): Promise<E.Either<ProbeError, true>>;
}

/** A store in the folder `dir` (`<dir>/<key[0..2]>/<key>.safetensors`), or in memory when `dir` is undefined. */
export function embeddingStore(dir: string | undefined): EmbeddingStore {
  const memory = new Map<string, PromptEmbedding>();
  return {
    async get(job) {
      if (job.embedding) return job.embedding;
      if (job.embeddingKey === null) return null;
      return dir === undefined ? (memory.get(job.embeddingKey) ?? null) : readCachedEmbedding(dir, job.embeddingKey);
    },
    async put(job, embedding) {
      if (job.embeddingKey === null) return E.right(true);
      if (dir === undefined) {
        memory.set(job.embeddingKey, embedding);
        return E.right(true);
      }
      return writeCachedEmbedding(dir, job.embeddingKey, embedding, job.prompt).then(
        () => E.right(true as const),
        (error: unknown) => E.left<ProbeError>({ _tag: 'WriteFailed', path: dir, reason: errorReason(error) }),
      );
    },
  };
}
