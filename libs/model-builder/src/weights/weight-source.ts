import type * as E from 'fp-ts/lib/Either.js';

/** How a seeded random source initialises a parameter (a real checkpoint ignores it). */
export type WeightInit =
  /** A Linear weight [out, in]: normal with sd 1 / sqrt(fanIn), so activations stay of order 1. */
  | { readonly kind: 'linear'; readonly fanIn: number }
  /** An embedding table: standard normal. */
  | { readonly kind: 'embedding' }
  /** A norm's scale: all ones. */
  | { readonly kind: 'ones' }
  /** All zeros. */
  | { readonly kind: 'zeros' };

/** Why a parameter could not be had. */
export type WeightError =
  | { readonly _tag: 'MissingTensor'; readonly name: string; readonly source: string }
  | { readonly _tag: 'WrongShape'; readonly name: string; readonly expected: readonly number[]; readonly actual: readonly number[] }
  | { readonly _tag: 'UnsupportedDtype'; readonly name: string; readonly dtype: string }
  | { readonly _tag: 'ExtraTensors'; readonly names: readonly string[]; readonly source: string }
  | { readonly _tag: 'Unreadable'; readonly path: string; readonly reason: string };

/**
 * Where a model's parameters come from: seeded random values or a real checkpoint. Parameters are
 * asked for one at a time by their diffusers / Hugging Face name, so a checkpoint is streamed
 * tensor by tensor and never held whole in memory.
 */
export interface WeightSource {
  /** For messages and provenance, e.g. `seeded random (seed 0)` or a checkpoint folder. */
  readonly description: string;
  /** Parameter `name` with the given shape (torch layout, e.g. [out, in] for Linear), as float32. */
  read(name: string, shape: readonly number[], init: WeightInit): Promise<E.Either<WeightError, Float32Array>>;
  /** Tensors of the source that no `read` asked for so far (empty for seeded sources). */
  unread(): readonly string[];
}
