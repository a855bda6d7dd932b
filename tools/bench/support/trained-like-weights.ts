import * as E from 'fp-ts/lib/Either.js';
import { seededStream, seededTensor, type WeightSource } from '@moral-plantain/model-builder';

/** How far `trainedLikeWeights` moves Linear weights away from the Gaussian of `seededWeights`. */
export interface TrainedLikeShape {
  /** Log-sd of each weight's own scale factor (heavy tails within a row). */
  readonly tail: number;
  /** Log-sd of each input column's scale factor (some input features carry larger weights than others). */
  readonly columnSpread: number;
}

/** The shape the quantization benchmark uses: kurtosis 3 e^(4 (0.3^2 + 0.3^2)) = 6.2 (a Gaussian's is 3). */
export const TRAINED_LIKE_SHAPE: TrainedLikeShape = { tail: 0.3, columnSpread: 0.3 };

/**
 * Seeded weights whose Linear layers look more like trained ones than a Gaussian does, for
 * measuring weight quantization: each weight of `seededWeights` is multiplied by a log-normal
 * factor of its own (log-sd `tail`) and by one of its input column (log-sd `columnSpread`), both
 * normalised so that the weight's variance is still 1 / fanIn. Trained transformer weights have
 * heavier tails than a Gaussian and input features of unequal scale; both widen a block's range
 * relative to its typical weight, which is what costs a block-wise quantizer its precision.
 * Embeddings and norm scales are those of `seededWeights`.
 */
export function trainedLikeWeights(seed: number, shape: TrainedLikeShape = TRAINED_LIKE_SHAPE): WeightSource {
  return {
    description: `seeded trained-like random (seed ${seed}, tail ${shape.tail}, column spread ${shape.columnSpread})`,
    read: async (name, dims, init) => {
      const w = seededTensor(seed, name, dims, init);
      if (init.kind !== 'linear' || dims.length !== 2) return E.right(w);
      const columns = dims[1] as number;
      // E[exp(2 s g)] = exp(2 s^2) for a standard normal g: a factor exp(s g - s^2) keeps the mean square.
      const columnStream = seededStream(seed, `${name}#column-scale`);
      const columnScale = Float32Array.from({ length: columns }, () => Math.exp(shape.columnSpread * columnStream.normal() - shape.columnSpread ** 2));
      const tails = seededStream(seed, `${name}#tail-scale`);
      const tailNorm = Math.exp(-(shape.tail ** 2));
      for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) * (columnScale[i % columns] as number) * Math.exp(shape.tail * tails.normal()) * tailNorm;
      return E.right(w);
    },
    unread: () => [],
  };
}
