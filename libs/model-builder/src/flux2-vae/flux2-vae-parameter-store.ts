import type { GraphBuilder } from '@moral-plantain/hooks';
import type { ParameterStore } from '../graph-weights/parameter-store.js';

/**
 * Where the VAE graph builder gets its parameters, by diffusers module path (the scope's), each
 * read from the weight source just before it is stored. Seeded sources initialise convolutions and
 * linears with sd 1 / sqrt(fan-in), biases and norm shifts with zeros, norm scales with ones, and
 * the `bn` running statistics as mean 0, variance 1.
 */
export interface Flux2VaeParameterStore {
  /** A Conv2d's weight [out, in, k, k] (torch layout, as ONNX Conv takes it) and bias [out]. */
  conv(scope: GraphBuilder, outChannels: number, inChannels: number, kernel: number): Promise<{ readonly weight: string; readonly bias: string }>;
  /** A Linear's weight read as [out, in], stored transposed [in, out] for MatMul, and bias [out]. */
  linear(scope: GraphBuilder, outFeatures: number, inFeatures: number): Promise<{ readonly weight: string; readonly bias: string }>;
  /** A GroupNorm's scale and shift [channels]. */
  norm(scope: GraphBuilder, channels: number): Promise<{ readonly weight: string; readonly bias: string }>;
  /** The `bn` running mean and variance [channels]. */
  runningStatistics(scope: GraphBuilder, channels: number): Promise<{ readonly mean: string; readonly variance: string }>;
}

/** A VAE store over a generic parameter store (which reads, converts and sinks the bytes). */
export function createFlux2VaeParameterStore(store: ParameterStore): Flux2VaeParameterStore {
  const bias = (scope: GraphBuilder, size: number) => store.tensor(scope, `${scope.modulePath}.bias`, [size], { kind: 'zeros' });
  return {
    conv: async (scope, outChannels, inChannels, kernel) => ({
      weight: await store.tensor(scope, `${scope.modulePath}.weight`, [outChannels, inChannels, kernel, kernel], { kind: 'linear', fanIn: inChannels * kernel * kernel }),
      bias: await bias(scope, outChannels),
    }),
    linear: async (scope, outFeatures, inFeatures) => ({
      weight: await store.tensor(scope, `${scope.modulePath}.weight`, [outFeatures, inFeatures], { kind: 'linear', fanIn: inFeatures }, { transpose: true }),
      bias: await bias(scope, outFeatures),
    }),
    norm: async (scope, channels) => ({
      weight: await store.tensor(scope, `${scope.modulePath}.weight`, [channels], { kind: 'ones' }),
      bias: await bias(scope, channels),
    }),
    runningStatistics: async (scope, channels) => ({
      mean: await store.tensor(scope, `${scope.modulePath}.running_mean`, [channels], { kind: 'zeros' }),
      variance: await store.tensor(scope, `${scope.modulePath}.running_var`, [channels], { kind: 'ones' }),
    }),
  };
}
