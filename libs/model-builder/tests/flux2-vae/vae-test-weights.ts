import * as E from 'fp-ts/lib/Either.js';
import { seededTensor, type WeightSource } from '../../src/index.js';

/**
 * Seeded weights where every parameter carries information, so a test notices one used in the
 * wrong place: convolutions and linears normal with sd 1 / sqrt(fan-in), biases 0.1 N(0, 1), norm
 * scales 1 + 0.3 N(0, 1), the `bn` running mean 0.2 N(0, 1) and running variance exp(0.5 N(0, 1)).
 */
export function vaeTestWeights(seed: number): WeightSource {
  return {
    description: `VAE test weights (seed ${seed})`,
    read: async (name, shape, init) => {
      const noise = (scale: number, offset = 0) => seededTensor(seed, name, shape, { kind: 'embedding' }).map((v) => offset + scale * v);
      if (name.endsWith('running_var')) return E.right(noise(0.5).map(Math.exp));
      if (name.endsWith('running_mean')) return E.right(noise(0.2));
      if (init.kind === 'ones') return E.right(noise(0.3, 1));
      if (init.kind === 'zeros') return E.right(noise(0.1));
      return E.right(seededTensor(seed, name, shape, init));
    },
    unread: () => [],
  };
}

/** A source that records the name and shape of every read it forwards. */
export function recordingWeights(inner: WeightSource): WeightSource & { readonly reads: Map<string, readonly number[]> } {
  const reads = new Map<string, readonly number[]>();
  return {
    description: inner.description,
    reads,
    read: async (name, shape, init) => {
      reads.set(name, [...shape]);
      return inner.read(name, shape, init);
    },
    unread: () => [],
  };
}

/** Seeded standard normal values clamped to [-1, 1]: pixels as the VAE takes them. */
export function testPixels(seed: number, count: number): Float32Array {
  return seededTensor(seed, 'pixels', [count], { kind: 'embedding' }).map((v) => Math.max(-1, Math.min(1, 0.6 * v)));
}
