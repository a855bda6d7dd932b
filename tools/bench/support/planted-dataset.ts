import { createPrng } from '@moral-plantain/formats';

/** A paired dataset: conditions a and b as float32 [pairs x units], row-major, and their float64 differences. */
export interface PlantedDataset {
  readonly nPairs: number;
  readonly nUnits: number;
  readonly a: Float32Array;
  readonly b: Float32Array;
  /** a - b of the float32 values, in float64: exactly what the stats engine tests. */
  readonly diff: Float64Array;
  /** What was planted, for the printout. */
  readonly description: string;
}

/**
 * Deterministic paired data (xoshiro128** from `createPrng(seed)`, Box-Muller normals): a shared
 * per-pair baseline 1 + 0.2 N(0, 1) plus 0.05 N(0, 1) noise in each condition, with effects added to
 * a: +0.04 in every 10th unit (d about 0.57), +0.15 in units 1, 11, ..., 151 and -0.15 in units 2,
 * 12, ..., 152 (16 each, d about 2).
 */
export function plantedDataset(nPairs: number, nUnits: number, seed: number): PlantedDataset {
  const prng = createPrng(seed);
  const uniform = () => (prng.nextUint32() + 1) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const effect = (unit: number) => (unit % 10 === 0 ? 0.04 : unit < 160 && unit % 10 === 1 ? 0.15 : unit < 160 && unit % 10 === 2 ? -0.15 : 0);
  const a = new Float32Array(nPairs * nUnits);
  const b = new Float32Array(nPairs * nUnits);
  const diff = new Float64Array(nPairs * nUnits);
  for (let i = 0; i < a.length; i++) {
    const base = 1 + 0.2 * normal();
    a[i] = base + 0.05 * normal() + effect(i % nUnits);
    b[i] = base + 0.05 * normal();
    diff[i] = (a[i] as number) - (b[i] as number);
  }
  const description = `seed ${seed}; planted in a: +0.04 in every 10th unit, +0.15 in 16 units, -0.15 in 16 units (noise sd 0.05 per condition)`;
  return { nPairs, nUnits, a, b, diff, description };
}
