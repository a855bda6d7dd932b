import type { Activations } from '@moral-plantain/formats';
import { unitGroups, type TapsManifest } from '@moral-plantain/hooks';
import ndarray from 'ndarray';
import type { ProbePair } from './probe-options.js';

/**
 * The activations of a probe run from its per-prompt vectors: rows in pair order, condition a and
 * b, one group label per unit from the taps manifest, float32 as the model gives them. Every
 * prompt of `pairs` must have a vector.
 */
export function assembleActivations(pairs: readonly ProbePair[], vectors: ReadonlyMap<string, Float32Array>, manifest: TapsManifest, metadata: Readonly<Record<string, string>>): Activations {
  const units = manifest.totalUnits;
  const n = pairs.length;
  const a = new Float64Array(n * units);
  const b = new Float64Array(n * units);
  for (const [i, pair] of pairs.entries()) {
    a.set(vectors.get(pair.a)!, i * units);
    b.set(vectors.get(pair.b)!, i * units);
  }
  return { nPairs: n, nUnits: units, a: ndarray(a, [n, units]), b: ndarray(b, [n, units]), dtype: 'F32', pairs: pairs.map((p) => p.id), groups: unitGroups(manifest), taps: manifest, metadata: { ...metadata } };
}
