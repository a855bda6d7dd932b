import { keyedState, xoshiro128StarStar } from '@moral-plantain/formats';

/** Name of the generator behind seeded weights (recorded in provenance). */
export const SEEDED_PRNG_NAME = 'xoshiro128** seeded by SplitMix32, normals by Box-Muller';

/** A deterministic stream of uniform and standard normal numbers, identical on every platform. */
export interface SeededStream {
  /** Uniform in (0, 1]. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * A stream for (seed, key): each key (e.g. a parameter name) gets its own stream (`keyedState`),
 * independent of the order of use. Uniforms are (word + 1) / 2^32; normals come in Box-Muller
 * pairs, r cos(2 pi u2) first and r sin(2 pi u2) next.
 */
export function seededStream(seed: number, key = ''): SeededStream {
  const next = xoshiro128StarStar(keyedState(seed, key));
  const uniform = (): number => (next() + 1) / 4294967296;
  let spare = Number.NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const out = spare;
      spare = Number.NaN;
      return out;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}
