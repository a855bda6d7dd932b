import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { TextEncoderIo } from '../model-folder/io-naming.js';
import type { ReferenceTokens } from '../reference/reference-tokens.js';
import { runSession, type ModelSession } from '../session/create-session.js';
import { badIo, type ProbeError } from './probe-error.js';
import type { PromptEmbedding } from './prompt-embeddings.js';
import type { PromptTokens } from '../text/prompt-tokens.js';
import { tensorFor, toFloat32 } from './session-feeds.js';
import type { BatchEmbeddings } from './transformer-step.js';

/** One prompt of a probe: its text and cache key, and its tokens (text encoder) or its precomputed embedding. */
export interface ProbeJob {
  /** The prompt, or (with reference images per pair) the references' key and the prompt: what the vector is stored under. */
  readonly id: string;
  readonly prompt: string;
  readonly key: string;
  /** The reference tokens the prompt is conditioned on, with their key, or null. */
  readonly references: { readonly key: string; readonly tokens: ReferenceTokens } | null;
  readonly tokens: PromptTokens | null;
  readonly embedding: PromptEmbedding | null;
}

/** The batch's prompt embeddings [B, S_txt, D_txt] as float32, from the text encoder or the embeddings file. */
export function embedBatch(batch: readonly ProbeJob[], encoder: ModelSession | null, io: TextEncoderIo | null): TE.TaskEither<ProbeError, BatchEmbeddings> {
  return async () => {
    if (batch.every((job) => job.embedding)) return stackEmbeddings(batch.map((job) => ({ prompt: job.prompt, embedding: job.embedding! })));
    if (!encoder || !io) return E.left({ _tag: 'NoTextSource', dir: 'the model folder' });
    const length = batch[0]!.tokens!.inputIds.length;
    const ids = new Int32Array(batch.length * length);
    const mask = new Int32Array(batch.length * length);
    for (const [i, job] of batch.entries()) {
      const tokens = job.tokens!;
      if (tokens.inputIds.length !== length || tokens.attentionMask.length !== length) {
        return E.left(badIo('tokenizer', `prompts tokenize to different lengths (${length} and ${tokens.inputIds.length}); pad every prompt to the same length`));
      }
      ids.set(Int32Array.from(tokens.inputIds), i * length);
      mask.set(Int32Array.from(tokens.attentionMask), i * length);
    }
    const dims = [batch.length, length];
    const idsFeed = tensorFor(encoder, io.inputIds, ids, dims);
    const maskFeed = tensorFor(encoder, io.attentionMask, mask, dims);
    if (E.isLeft(idsFeed)) return idsFeed;
    if (E.isLeft(maskFeed)) return maskFeed;
    const out = await runSession(encoder, { [io.inputIds]: idsFeed.right, [io.attentionMask]: maskFeed.right }, [io.embeddings])();
    if (E.isLeft(out)) return E.left({ _tag: 'Session', error: out.left });
    const tensor = out.right[io.embeddings]!;
    const [b, s, d] = tensor.dims as [number, number, number];
    if (tensor.dims.length !== 3 || b !== batch.length) return E.left(badIo(encoder.source, `output ${io.embeddings} has shape [${tensor.dims.join(', ')}], expected [${batch.length}, S_txt, D_txt]`));
    return E.map((data: Float32Array) => ({ data, batch: b, tokens: s, width: d }))(toFloat32(tensor, encoder.source));
  };
}

function stackEmbeddings(items: readonly { prompt: string; embedding: PromptEmbedding }[]): E.Either<ProbeError, BatchEmbeddings> {
  const first = items[0]!.embedding;
  const data = new Float32Array(items.length * first.data.length);
  for (const [i, { prompt, embedding }] of items.entries()) {
    if (embedding.tokens !== first.tokens || embedding.width !== first.width) {
      return E.left(badIo('prompt embeddings file', `prompt ${JSON.stringify(prompt)} has embedding [${embedding.tokens}, ${embedding.width}], another has [${first.tokens}, ${first.width}]`));
    }
    data.set(embedding.data, i * first.data.length);
  }
  return E.right({ data, batch: items.length, tokens: first.tokens, width: first.width });
}
