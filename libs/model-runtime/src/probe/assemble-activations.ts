import type { Activations } from '@moral-plantain/formats';
import { unitGroups, type TapsManifest } from '@moral-plantain/hooks';
import ndarray from 'ndarray';
import { jobId } from './probe-jobs.js';
import type { ProbePair } from './probe-options.js';
import type { ProbeJob } from './text-step.js';

/**
 * The activations of a probe run from its per-prompt vectors: rows in pair order, condition a and
 * b, one group label per unit from the taps manifest, float32 as the model gives them. Vectors
 * are found by job id (`jobId`), so every prompt of `pairs` with its pair's references must have one.
 */
export function assembleActivations(
  pairs: readonly ProbePair[],
  vectors: ReadonlyMap<string, Float32Array>,
  manifest: TapsManifest,
  metadata: Readonly<Record<string, string>>,
  referencesOf: (pairId: string) => ProbeJob['references'] = () => null,
): Activations {
  const units = manifest.totalUnits;
  const n = pairs.length;
  const a = new Float64Array(n * units);
  const b = new Float64Array(n * units);
  for (const [i, pair] of pairs.entries()) {
    const references = referencesOf(pair.id);
    a.set(vectors.get(jobId(pair.a, references))!, i * units);
    b.set(vectors.get(jobId(pair.b, references))!, i * units);
  }
  return { nPairs: n, nUnits: units, a: ndarray(a, [n, units]), b: ndarray(b, [n, units]), dtype: 'F32', pairs: pairs.map((p) => p.id), groups: unitGroups(manifest), taps: manifest, metadata: { ...metadata } };
}
