import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { computePrompts } from './compute-prompts.js';
import type { ProbeError } from './probe-error.js';
import type { ProbeOptions } from './probe-options.js';
import { partBatches, type BatchRange, type ProbePartIndex } from './probe-parts.js';
import { prepareProbe } from './probe-preparation.js';
import type { ProbeProgress, ProbeStage } from './probe-progress.js';
import { probedModel, probedReferences, type ProbeResult } from './run-probe.js';
import { unitDefinition } from './unit-definition.js';

/** One prompt of a run and the key of its cache entry. */
export interface PromptKey {
  readonly prompt: string;
  readonly key: string;
}

/**
 * What one part of a divided probe run computed, and everything needed to assemble the whole
 * run's activations from the parts' cache entries without the model: every prompt's cache key,
 * the taps manifest and the activations metadata.
 */
export interface ProbePart extends Omit<ProbeResult, 'activations' | 'prompts'> {
  /** Every prompt of the whole run (not only this part's), in order, with its cache key (`prompt` is the job id: the prompt, with the references' key when there are per-pair references). */
  readonly keys: readonly PromptKey[];
  /** This part's batches, and the run's batch count. */
  readonly batches: BatchRange & { readonly total: number };
  /** This part's prompts: how many, computed and from the cache. */
  readonly prompts: { readonly total: number; readonly computed: number; readonly cached: number };
  /** The activations file's metadata of the whole run (see `assembleActivations`). */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Computes one part of a probe run (`partBatches`) into the cache folder `options.cacheDir`, which
 * is required: only this part's prompts are computed, each written to its own cache entry
 * atomically, so parts may run at the same time, on other machines, into one shared cache folder,
 * and a part run twice (or at once twice) only writes the same entries again. Nothing else is
 * written (no activations file); the run's activations are assembled from the entries later.
 */
export function runProbePart(folder: ModelFolder, options: ProbeOptions & { readonly cacheDir: string }, part: ProbePartIndex): TE.TaskEither<ProbeError, ProbePart> {
  return async () => {
    if (!Number.isInteger(part.count) || part.count < 1 || !Number.isInteger(part.index) || part.index < 0 || part.index >= part.count) {
      return E.left({ _tag: 'InvalidProbeOption', option: 'part', reason: `is ${part.index} of ${part.count}, expected an index from 0 to count - 1` });
    }
    const started = performance.now();
    let total = 0;
    const emit = (stage: ProbeStage, done: number, cached: number, etaSeconds: number | null) => options.onProgress?.({ stage, done, total, cached, etaSeconds } satisfies ProbeProgress);
    const prepared = await prepareProbe(folder, options, (stage, done) => emit(stage, done, 0, null));
    if (E.isLeft(prepared)) return prepared;
    const { jobs, manifest, resolved, references } = prepared.right;
    const batches = prepared.right.batches.length;
    const range = partBatches(batches, part);
    total = prepared.right.batches.slice(range.first, range.end).flat().length;
    const computed = await computePrompts(folder, prepared.right, range, options, emit);
    if (E.isLeft(computed)) return computed;
    const { cached, sessions, seconds } = computed.right;
    emit('done', total, cached, 0);
    return E.right({
      keys: jobs.map((job) => ({ prompt: job.id, key: job.key })),
      batches: { ...range, total: batches },
      metadata: prepared.right.metadata,
      manifest,
      tappedModel: prepared.right.tappedPath,
      modelFingerprint: prepared.right.fingerprint,
      model: probedModel(folder),
      resolution: resolved.resolution,
      unit: unitDefinition(options.taps ?? {}, manifest, references !== null),
      references: probedReferences(references),
      device: sessions.device,
      fallbacks: sessions.fallbacks,
      notes: sessions.notes,
      prompts: { total, computed: total - cached, cached },
      seconds: { references: prepared.right.referencesSeconds, tap: prepared.right.tapSeconds, ...seconds, total: (performance.now() - started) / 1000 },
    });
  };
}
