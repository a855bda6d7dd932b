import * as E from 'fp-ts/lib/Either.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { ModelSession } from '../session/create-session.js';
import type { EmbeddingStore } from './embedding-store.js';
import type { ProbeError } from './probe-error.js';
import type { PreparedProbe } from './probe-preparation.js';
import type { ProbeProgress } from './probe-progress.js';
import type { ProbeSessions } from './probe-sessions.js';
import { embedBatch, splitEmbeddings, type ProbeJob } from './text-step.js';

/** What the encode phase did: prompts embedded by the text encoder and from the store, its notes and seconds. */
export interface EncodedPhase {
  readonly encoded: number;
  readonly stored: number;
  /** Why the text encoder's session is not on the requested device (empty when it is, or it never opened). */
  readonly notes: readonly string[];
  readonly seconds: { readonly load: number; readonly encode: number };
}

/**
 * The encode phase: the text embedding of every prompt of `batches` made ready in `store`. Batches
 * whose every prompt has a stored embedding are skipped; the others are encoded whole, in the run's
 * fixed batches (so the transformer later gets the same values an encode per transformer batch
 * gave), and written at once, so an interrupted phase resumes from the prompts embedded. The text
 * encoder opens only when a batch needs it (`stopped` is asked before each batch) and is released at the end of the phase, before any
 * transformer session opens: one model is resident at a time.
 */
export async function encodePhase(
  folder: ModelFolder,
  prepared: PreparedProbe,
  batches: readonly (readonly ProbeJob[])[],
  store: EmbeddingStore,
  sessions: ProbeSessions,
  stopped: () => ProbeError | null,
  progress: (event: Omit<ProbeProgress, 'stage'> & { readonly stage: 'load' | 'encode' }) => void,
): Promise<E.Either<ProbeError, EncodedPhase>> {
  const total = batches.reduce((n, batch) => n + batch.length, 0);
  const seconds = { load: 0, encode: 0 };
  let notes: readonly string[] = [];
  if (prepared.text.kind !== 'encoder' || !folder.textEncoder) return E.right({ encoded: 0, stored: total, notes, seconds });
  const missing: (readonly ProbeJob[])[] = [];
  for (const batch of batches) {
    for (const job of batch) {
      if ((await store.get(job)) === null) {
        missing.push(batch);
        break;
      }
    }
  }
  const stored = total - missing.reduce((n, batch) => n + batch.length, 0);
  let encoded = 0;
  const eta = () => (encoded === 0 ? null : (seconds.encode / encoded) * (total - stored - encoded));
  const report = (stage: 'load' | 'encode') => progress({ stage, done: stored + encoded, total, cached: stored, etaSeconds: eta() });
  if (missing.length === 0) return E.right({ encoded, stored, notes, seconds });
  let encoder: ModelSession | null = null;
  try {
    for (const batch of missing) {
      const stop = stopped();
      if (stop) return E.left(stop);
      if (!encoder) {
        report('load');
        const loadStart = performance.now();
        const opened = await sessions.open('text-encoder', folder.textEncoder.path);
        if (E.isLeft(opened)) return opened;
        encoder = opened.right;
        notes = encoder.notes;
        seconds.load += (performance.now() - loadStart) / 1000;
        report('encode');
      }
      const start = performance.now();
      const embeddings = await embedBatch(batch, encoder, folder.textEncoderIo)();
      if (E.isLeft(embeddings)) return embeddings;
      for (const [i, embedding] of splitEmbeddings(embeddings.right).entries()) {
        const kept = await store.put(batch[i]!, embedding);
        if (E.isLeft(kept)) return kept;
      }
      seconds.encode += (performance.now() - start) / 1000;
      encoded += batch.length;
      report('encode');
    }
  } finally {
    // Released before the transformer opens, whatever happened: peak memory is the larger model, not the sum.
    if (encoder) await sessions.release('text-encoder');
  }
  return E.right({ encoded, stored, notes, seconds });
}
