import * as E from 'fp-ts/lib/Either.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { encodeModel } from '@moral-plantain/hooks';
import type { ModelProto } from '@moral-plantain/hooks';
import { seededStream, seededWeights, type WeightInit, type WeightSource } from '../../src/index.js';

/**
 * Seeded weights whose norm scales are 1 + 0.3 x normal instead of ones, so that a norm weight
 * applied wrongly (or not at all) changes the output. Every value read is kept for the reference.
 */
export function perturbedWeights(seed: number): WeightSource & { readonly values: Map<string, Float32Array> } {
  const base = seededWeights({ seed });
  const values = new Map<string, Float32Array>();
  return {
    description: `perturbed seeded (seed ${seed})`,
    values,
    async read(name: string, shape: readonly number[], init: WeightInit) {
      const read = await base.read(name, shape, init);
      if (E.isLeft(read) || init.kind !== 'ones') {
        if (E.isRight(read)) values.set(name, read.right);
        return read;
      }
      const stream = seededStream(seed + 1, name);
      const out = read.right.map(() => 1 + 0.3 * stream.normal());
      values.set(name, out);
      return E.right(out);
    },
    unread: () => base.unread(),
  };
}

/** Runs a built model on ONNX Runtime's CPU provider and returns `prompt_embeds`. */
export async function runEncoder(model: ModelProto, ids: readonly (readonly number[])[], mask: readonly (readonly number[])[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const shape = [ids.length, ids[0]?.length ?? 0];
    const toTensor = (rows: readonly (readonly number[])[]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), shape);
    const result = await session.run({ input_ids: toTensor(ids), attention_mask: toTensor(mask) });
    const out = result['prompt_embeds'];
    if (!out) throw new Error('no prompt_embeds output');
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

/** Largest absolute difference of two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}
