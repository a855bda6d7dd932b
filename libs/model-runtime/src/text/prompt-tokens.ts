import type * as E from 'fp-ts/lib/Either.js';
import type { TextError } from './text-error.js';

/** A tokenized prompt, padded to the text length the encoder expects (512 for FLUX.2 klein). */
export interface PromptTokens {
  readonly inputIds: ArrayLike<number>;
  readonly attentionMask: ArrayLike<number>;
}

/** Turns a prompt into token ids and an attention mask (the Qwen3 chat template + tokenizer for real models), or says why it cannot. */
export type Tokenize = (prompt: string) => E.Either<TextError, PromptTokens>;
