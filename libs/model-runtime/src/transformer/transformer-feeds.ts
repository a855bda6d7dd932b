import * as E from 'fp-ts/lib/Either.js';
import type * as ort from '@moral-plantain/onnxruntime-node';
import type { TransformerIo } from '../model-folder/io-naming.js';
import type { ModelSession } from '../session/create-session.js';
import type { ProbeError } from '../probe/probe-error.js';
import { repeat, textIds } from '../probe/probe-inputs.js';
import { rankOf, tensorFor } from '../probe/session-feeds.js';

/** The prompt embeddings of one call [batch, tokens, width] as float32. */
export interface BatchEmbeddings {
  readonly data: Float32Array;
  readonly batch: number;
  readonly tokens: number;
  readonly width: number;
}

/** One FLUX.2 transformer call's inputs. */
export interface TransformerCall {
  /** Image tokens [batch, imageTokens, channels]: the noisy tokens, then any reference tokens. */
  readonly hidden: Float32Array;
  readonly imageTokens: number;
  readonly channels: number;
  readonly text: BatchEmbeddings;
  /** The model's `timestep` (sigma; the model multiplies by 1000), one per sample. */
  readonly timestep: Float32Array;
  /** Position ids of the image tokens [imageTokens, 4], the same for every sample. */
  readonly imageIds: Float32Array;
}

/**
 * The feeds of one transformer call in the graph's own names and dtypes: `hidden_states`,
 * `encoder_hidden_states`, `timestep`, `img_ids` and `txt_ids` (text ids (0, 0, 0, l)), the ids
 * repeated per sample when the graph takes them with a batch axis.
 */
export function transformerFeeds(session: ModelSession, io: TransformerIo, call: TransformerCall): E.Either<ProbeError, Record<string, ort.Tensor>> {
  const b = call.text.batch;
  const ids = (name: string, values: Float32Array, count: number) => {
    const batched = rankOf(session, name) === 3;
    return tensorFor(session, name, batched ? repeat(values, b) : values, batched ? [b, count, 4] : [count, 4]);
  };
  const feeds: Record<string, E.Either<ProbeError, ort.Tensor>> = {
    [io.latents]: tensorFor(session, io.latents, call.hidden, [b, call.imageTokens, call.channels]),
    [io.text]: tensorFor(session, io.text, call.text.data, [b, call.text.tokens, call.text.width]),
    [io.timestep]: tensorFor(session, io.timestep, call.timestep, [b]),
    [io.imageIds]: ids(io.imageIds, call.imageIds, call.imageTokens),
    [io.textIds]: ids(io.textIds, textIds(call.text.tokens), call.text.tokens),
  };
  const out: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) {
    if (E.isLeft(tensor)) return tensor;
    out[name] = tensor.right;
  }
  return E.right(out);
}
