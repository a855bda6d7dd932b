import * as E from 'fp-ts/lib/Either.js';
import { fingerprintGraph } from '@moral-plantain/formats';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { ProbeError } from './probe-error.js';
import { PROBE_TIMESTEP } from './probe-inputs.js';
import { probeJobs, type TextSource, textSource } from './probe-jobs.js';
import { resolveProbeOptions, type ProbeOptions, type ResolvedProbeOptions } from './probe-options.js';
import { tapConfig, tapTransformer } from './tap-transformer.js';
import type { ProbeJob } from './text-step.js';

/** Everything a probe run settles before its first prompt: options, the tapped graph, the text source and one keyed job per prompt. */
export interface PreparedProbe {
  readonly resolved: ResolvedProbeOptions;
  /** The untapped transformer's fingerprint, which keys the cache. */
  readonly fingerprint: string;
  readonly tappedPath: string;
  readonly manifest: TapsManifest;
  readonly text: TextSource;
  /** One job per unique prompt, in order of first appearance. */
  readonly jobs: readonly ProbeJob[];
  /** Seconds spent fingerprinting and tapping. */
  readonly tapSeconds: number;
  /** What the activations file's metadata records of the run. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Checks the options, fingerprints and taps the transformer (or reuses its tapped graph), picks the text source and keys every prompt. */
export async function prepareProbe(folder: ModelFolder, options: ProbeOptions): Promise<E.Either<ProbeError, PreparedProbe>> {
  const resolved = resolveProbeOptions(folder, options);
  if (E.isLeft(resolved)) return resolved;
  const { seed, resolution, prompts } = resolved.right;
  const tapStart = performance.now();
  const fingerprint = await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path));
  const tapped = await tapTransformer(folder.transformer.path, fingerprint, options.taps ?? {}, options.tappedDir);
  if (E.isLeft(tapped)) return E.left({ _tag: 'TapFailed', errors: tapped.left });
  const tapSeconds = (performance.now() - tapStart) / 1000;
  const text = await textSource(folder, options)();
  if (E.isLeft(text)) return text;
  const taps = tapConfig(options.taps ?? {});
  const jobs = probeJobs(prompts, text.right, { transformer: fingerprint, seed, resolution: [resolution[0], resolution[1]], timestep: PROBE_TIMESTEP, taps });
  if (E.isLeft(jobs)) return jobs;
  const metadata: Record<string, string> = {
    model: probeModelName(folder),
    modelFingerprint: fingerprint,
    seed: String(seed),
    resolution: JSON.stringify(resolution),
    timestep: String(PROBE_TIMESTEP),
    units: JSON.stringify({ ...taps, reduction: 'rms over tokens and the unit channels of each tapped linear input' }),
    ...(options.stimuliHash !== undefined ? { stimuli: options.stimuliHash } : {}),
    ...(text.right.kind === 'embeddings' ? { promptEmbeddings: text.right.embeddings.path } : {}),
  };
  return E.right({ resolved: resolved.right, fingerprint, tappedPath: tapped.right.modelPath, manifest: tapped.right.manifest, text: text.right, jobs: jobs.right, tapSeconds, metadata });
}

/** The name a probe gives the model: its model.json's, else the folder's. */
export function probeModelName(folder: ModelFolder): string {
  return folder.manifest?.name ?? folder.dir.split(/[\\/]/).pop() ?? folder.dir;
}
