import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { computePrompts, embeddingsFolder } from './compute-prompts.js';
import type { ProbeError } from './probe-error.js';
import type { ProbeOptions } from './probe-options.js';
import { prepareProbe } from './probe-preparation.js';

/** What `embedProbePrompts` did: prompts whose vectors still need the transformer, how many of them it embedded, and how many embeddings were cached already. */
export interface EmbeddedProbePrompts {
  readonly pending: number;
  readonly encoded: number;
  readonly cached: number;
}

/**
 * The encode phase of a probe run alone: every prompt whose per-unit vector is not in the cache is
 * embedded, in the run's own batches, into the embeddings cache (`embeddingsCacheDir`, else
 * `<cacheDir>/embeddings`; one is required), and the text encoder is released. A later `runProbe`
 * with the same options then loads no text encoder. A sweep embeds all its runs' prompts this way
 * first, so each model's text encoder loads once and its transformer stays resident across runs.
 */
export function embedProbePrompts(folder: ModelFolder, options: ProbeOptions): TE.TaskEither<ProbeError, EmbeddedProbePrompts> {
  return async () => {
    if (embeddingsFolder(options) === undefined) return E.left({ _tag: 'InvalidProbeOption', option: 'embeddingsCacheDir', reason: 'is not set (nor cacheDir): embeddings computed ahead of a run must be cached' });
    const prepared = await prepareProbe(folder, options);
    if (E.isLeft(prepared)) return prepared;
    const computed = await computePrompts(folder, prepared.right, { first: 0, end: prepared.right.batches.length }, options, (event) => options.onProgress?.(event), 'encode');
    if (E.isLeft(computed)) return computed;
    const { encoded, cached } = computed.right.embeddings;
    return E.right({ pending: encoded + cached, encoded, cached });
  };
}
