import * as E from 'fp-ts/lib/Either.js';
import { fingerprintGraph } from '@moral-plantain/formats';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { ProbeError } from './probe-error.js';
import { latentGrid, PROBE_TIMESTEP } from './probe-inputs.js';
import { jobSpecs, probeJobs, textSource, textTokenCount, type TextSource } from './probe-jobs.js';
import { resolveProbeOptions, type ProbeOptions, type ResolvedProbeOptions } from './probe-options.js';
import type { ProbeStage } from './probe-progress.js';
import { prepareReferences, type PreparedReferences } from './probe-references.js';
import { tapConfig, tapTransformer, textAndNoisyRanges } from './tap-transformer.js';
import type { ProbeJob } from './text-step.js';

/** Everything a probe run settles before its first prompt: options, reference tokens, the tapped graph, the text source and one keyed job per prompt. */
export interface PreparedProbe {
  readonly resolved: ResolvedProbeOptions;
  /** The untapped transformer's fingerprint, which keys the cache. */
  readonly fingerprint: string;
  readonly tappedPath: string;
  readonly manifest: TapsManifest;
  readonly text: TextSource;
  /** The encoded reference images, or null for none. */
  readonly references: PreparedReferences | null;
  /** One job per unique prompt (and reference set), in order of first appearance. */
  readonly jobs: readonly ProbeJob[];
  /**
   * The run's fixed partition of its jobs into batches: consecutive jobs with the same reference
   * images, `batchSize` at a time. Every process that runs the same options agrees on it.
   */
  readonly batches: readonly (readonly ProbeJob[])[];
  /** Seconds spent encoding reference images. */
  readonly referencesSeconds: number;
  /** Seconds spent fingerprinting and tapping. */
  readonly tapSeconds: number;
  /** What the activations file's metadata records of the run. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Checks the options, encodes the reference images (if any), fingerprints and taps the transformer
 * (or reuses its tapped graph), picks the text source, keys every prompt and partitions them into batches.
 */
export async function prepareProbe(folder: ModelFolder, options: ProbeOptions, emit: (stage: ProbeStage, done: number) => void = () => undefined): Promise<E.Either<ProbeError, PreparedProbe>> {
  const resolved = resolveProbeOptions(folder, options);
  if (E.isLeft(resolved)) return resolved;
  const { seed, resolution, batchSize } = resolved.right;
  const text = await textSource(folder, options)();
  if (E.isLeft(text)) return text;

  let references: PreparedReferences | null = null;
  const referencesStart = performance.now();
  if (options.references) {
    emit('references', 0);
    const prepared = await prepareReferences(folder, options.references, options.pairs, options.session ?? {})();
    if (E.isLeft(prepared)) return prepared;
    references = prepared.right;
  }
  const referencesSeconds = (performance.now() - referencesStart) / 1000;
  const specs = jobSpecs(options.pairs, (pairId) => references?.forPair(pairId) ?? null);

  emit('tap', 0);
  const tapStart = performance.now();
  const textTokens = textTokenCount(text.right, options.pairs[0]!.a);
  if (E.isLeft(textTokens)) return textTokens;
  const { rows, cols } = latentGrid(resolution[0], resolution[1]);
  const groupTokens = references && options.taps?.unitTokens === 'text-and-noisy' ? textAndNoisyRanges(textTokens.right, rows * cols) : null;
  const fingerprint = await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path));
  const tapped = await tapTransformer(folder.transformer.path, fingerprint, options.taps ?? {}, options.tappedDir, groupTokens);
  if (E.isLeft(tapped)) return E.left({ _tag: 'TapFailed', errors: tapped.left });
  const tapSeconds = (performance.now() - tapStart) / 1000;

  const taps = tapConfig(options.taps ?? {}, groupTokens);
  const jobs = probeJobs(specs, text.right, { transformer: fingerprint, seed, resolution: [resolution[0], resolution[1]], timestep: PROBE_TIMESTEP, taps });
  if (E.isLeft(jobs)) return jobs;
  const metadata: Record<string, string> = {
    model: probeModelName(folder),
    modelFingerprint: fingerprint,
    seed: String(seed),
    resolution: JSON.stringify(resolution),
    timestep: String(PROBE_TIMESTEP),
    units: JSON.stringify({ ...taps, reduction: 'rms over tokens and the unit channels of each tapped linear input', ...(references ? { unitTokens: options.taps?.unitTokens ?? 'all' } : {}) }),
    ...(references ? { references: JSON.stringify({ kind: references.kind, images: references.images.map((i) => ({ path: i.path, sha256: i.sha256 })) }) } : {}),
    ...(options.stimuliHash !== undefined ? { stimuli: options.stimuliHash } : {}),
    ...(text.right.kind === 'embeddings' ? { promptEmbeddings: text.right.embeddings.path } : {}),
  };
  return E.right({
    resolved: resolved.right,
    fingerprint,
    tappedPath: tapped.right.modelPath,
    manifest: tapped.right.manifest,
    text: text.right,
    references,
    jobs: jobs.right,
    batches: batchesOf(jobs.right, batchSize),
    referencesSeconds,
    tapSeconds,
    metadata,
  });
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

/** The name a probe gives the model: its model.json's, else the folder's. */
export function probeModelName(folder: ModelFolder): string {
  return folder.manifest?.name ?? folder.dir.split(/[\\/]/).pop() ?? folder.dir;
}
