import * as ort from '@moral-plantain/onnxruntime-node';
import * as E from 'fp-ts/lib/Either.js';
import { seededStream, seededTensor, seededWeights, type Flux2Config, type WeightSource } from '../../src/index.js';
import type { Flux2ReferenceInputs } from '@moral-plantain/references';

/** Seeded inputs of one FLUX.2 call: noise latents over a grid, text features, ids as the klein pipeline makes them. */
export function flux2TestInputs(config: Flux2Config, batch: number, grid: number, textTokens: number, timestep: readonly number[], seed = 7): Flux2ReferenceInputs {
  const stream = seededStream(seed, 'flux2-test-inputs');
  const normals = (n: number): Float32Array => Float32Array.from({ length: n }, () => stream.normal());
  const imageTokens = grid * grid;
  return {
    batch,
    imageTokens,
    textTokens,
    hiddenStates: normals(batch * imageTokens * config.in_channels),
    encoderHiddenStates: normals(batch * textTokens * config.joint_attention_dim),
    timestep: Float32Array.from(timestep),
    ...(config.guidance_embeds ? { guidance: Float32Array.from({ length: batch }, (_, b) => 3.5 + b) } : {}),
    imgIds: Array.from({ length: imageTokens }, (_, i) => [0, Math.floor(i / grid), i % grid, 0]),
    txtIds: Array.from({ length: textTokens }, (_, l) => [0, 0, 0, l]),
  };
}

/** The ONNX Runtime feeds for the same inputs. */
export function flux2Feeds(config: Flux2Config, inputs: Flux2ReferenceInputs): Record<string, ort.Tensor> {
  const ids = (rows: readonly (readonly number[])[]): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, config.axes_dims_rope.length]);
  return {
    hidden_states: new ort.Tensor('float32', inputs.hiddenStates, [inputs.batch, inputs.imageTokens, config.in_channels]),
    encoder_hidden_states: new ort.Tensor('float32', inputs.encoderHiddenStates, [inputs.batch, inputs.textTokens, config.joint_attention_dim]),
    timestep: new ort.Tensor('float32', inputs.timestep, [inputs.batch]),
    ...(inputs.guidance ? { guidance: new ort.Tensor('float32', inputs.guidance, [inputs.batch]) } : {}),
    img_ids: ids(inputs.imgIds),
    txt_ids: ids(inputs.txtIds),
  };
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/**
 * Seeded weights whose norm scales are 1 + 0.5 N(0, 1) instead of ones, so a test notices a norm
 * weight used in the wrong place.
 */
export function seededWithNormWeights(seed: number): WeightSource {
  const inner = seededWeights({ seed });
  return {
    description: `${inner.description}, random norm weights`,
    read: async (name, shape, init) => {
      if (init.kind !== 'ones') return inner.read(name, shape, init);
      const noise = seededTensor(seed, name, shape, { kind: 'embedding' });
      return E.right(noise.map((v) => 1 + 0.5 * v));
    },
    unread: () => [],
  };
}
