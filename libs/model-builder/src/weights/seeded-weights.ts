import * as E from 'fp-ts/lib/Either.js';
import { seededStream } from './seeded-stream.js';
import type { WeightInit, WeightSource } from './weight-source.js';

/** Options of `seededWeights`. */
export interface SeededWeightsOptions {
  /** Seed of every parameter's stream. Default 0. */
  readonly seed?: number;
}

/**
 * Seeded random parameters: Linear weights normal with sd 1 / sqrt(fanIn) (activations stay of
 * order 1), embeddings standard normal, norm scales ones. Each parameter's values depend only on
 * the seed and its name, so the same seed gives the same model whatever the build order.
 */
export function seededWeights(options: SeededWeightsOptions = {}): WeightSource {
  const seed = options.seed ?? 0;
  return {
    description: `seeded random (seed ${seed})`,
    read: async (name, shape, init) => E.right(seededTensor(seed, name, shape, init)),
    unread: () => [],
  };
}

/** The values `seededWeights` gives parameter `name`. */
export function seededTensor(seed: number, name: string, shape: readonly number[], init: WeightInit): Float32Array {
  const out = new Float32Array(shape.reduce((p, s) => p * s, 1));
  switch (init.kind) {
    case 'ones':
      return out.fill(1);
    case 'zeros':
      return out;
    case 'linear':
    case 'embedding': {
      const scale = init.kind === 'linear' ? 1 / Math.sqrt(init.fanIn) : 1;
      const stream = seededStream(seed, name);
      for (let i = 0; i < out.length; i++) out[i] = stream.normal() * scale;
      return out;
    }
  }
}
