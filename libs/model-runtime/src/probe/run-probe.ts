import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { errorReason, modelKindOf, writeActivations, type Activations, type ModelKind, type UnitDefinition } from '@moral-plantain/formats';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { DeviceFallback, ResolvedDevice } from '../session/create-session.js';
import { assembleActivations } from './assemble-activations.js';
import { computePrompts } from './compute-prompts.js';
import type { ProbeError } from './probe-error.js';
import type { ProbeOptions } from './probe-options.js';
import { prepareProbe, probeModelName, type PreparedProbe } from './probe-preparation.js';
import type { ProbeProgress, ProbeStage } from './probe-progress.js';
import type { ReferenceImageInfo } from './probe-references.js';
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
    let total = new Set(options.pairs.flatMap((p) => [p.a, p.b])).size;
    const emit = (stage: ProbeStage, done: number, cached: number, etaSeconds: number | null) => options.onProgress?.({ stage, done, total, cached, etaSeconds } satisfies ProbeProgress);
    const prepared = await prepareProbe(folder, options, (stage, done) => emit(stage, done, 0, null));
    if (E.isLeft(prepared)) return prepared;
    const { jobs, manifest, references } = prepared.right;
    total = jobs.length;
    const computed = await computePrompts(folder, prepared.right, { first: 0, end: prepared.right.batches.length }, options, emit);
    if (E.isLeft(computed)) return computed;
    const { vectors, cached, sessions, seconds } = computed.right;

    const activations = assembleActivations(options.pairs, vectors, manifest, prepared.right.metadata, (pairId) => references?.forPair(pairId) ?? null);
    if (options.out !== undefined) {
      const out = options.out;
      const written = await writeActivations(out, activations).then(
        () => E.right(true),
        (error: unknown) => E.left<ProbeError>({ _tag: 'WriteFailed', path: out, reason: errorReason(error) }),
      );
      if (E.isLeft(written)) return written;
    }
    emit('done', vectors.size, cached, 0);
    return E.right({
      activations,
      manifest,
      tappedModel: prepared.right.tappedPath,
      modelFingerprint: prepared.right.fingerprint,
      model: probedModel(folder),
      resolution: prepared.right.resolved.resolution,
      unit: unitDefinition(options.taps ?? {}, manifest, references !== null),
      references: probedReferences(references),
      device: sessions.device,
      fallbacks: sessions.fallbacks,
      notes: sessions.notes,
      prompts: { total: jobs.length, computed: jobs.length - cached, cached },
      seconds: { references: prepared.right.referencesSeconds, tap: prepared.right.tapSeconds, ...seconds, total: (performance.now() - started) / 1000 },
    });
  };
}

/** The probed model as a result states it: its name, the kind of its weights and their seed. */
export function probedModel(folder: ModelFolder): ProbeResult['model'] {
  const weightSeed = folder.manifest?.seeds.transformer;
  return { name: probeModelName(folder), kind: modelKindOf(folder.manifest), ...(weightSeed !== undefined ? { weightSeed } : {}) };
}

/** The reference images of a run as a result states them, or null for none. */
export function probedReferences(references: PreparedProbe['references']): ProbeResult['references'] {
  return references ? { kind: references.kind, images: references.images, imagesPerPrompt: references.imagesPerPrompt, tokensPerPrompt: references.tokensPerPrompt } : null;
}
