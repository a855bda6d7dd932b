import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TEXT_LENGTH } from '@moral-plantain/formats';
import type { Qwen3Tokenizer } from './qwen3-tokenizer.js';
import type { TextError } from './text-error.js';

/** Options of `encodePrompts`. */
export interface EncodePromptsOptions {
  /** Tokens per prompt after padding and truncation. Default `DEFAULT_TEXT_LENGTH`, 512 (FLUX.2's `max_sequence_length`). */
  readonly maxLength?: number;
}

/** A prompt longer than the token length: its tail (including the end of the chat template) was cut. */
export interface PromptTruncated {
  readonly _tag: 'PromptTruncated';
  /** Index of the prompt in the batch. */
  readonly index: number;
  /** Tokens of the templated prompt before truncation. */
  readonly tokens: number;
  /** Tokens kept. */
  readonly maxLength: number;
  /** One sentence for people. */
  readonly message: string;
}

/** Prompts ready for the text encoder: `input_ids` and `attention_mask` [batch, length], int64, row-major. */
export interface EncodedPrompts {
  readonly batch: number;
  readonly length: number;
  /** Token ids, right-padded with the pad token. */
  readonly inputIds: BigInt64Array;
  /** 1 for a real token, 0 for padding. */
  readonly attentionMask: BigInt64Array;
  /** Tokens of each templated prompt before padding or truncation. */
  readonly tokenCounts: Int32Array;
  /** Whether any prompt was truncated (then `warnings` says which). */
  readonly truncated: boolean;
  /** One warning per truncated prompt. */
  readonly warnings: readonly PromptTruncated[];
}

/** One prompt ready for the text encoder (int32 values; `encodePrompts` packs a batch as int64). */
export interface EncodedPrompt {
  /** `maxLength` token ids, right-padded with the pad token. */
  readonly inputIds: Int32Array;
  /** `maxLength` values: 1 for a real token, 0 for padding. */
  readonly attentionMask: Int32Array;
  /** Tokens of the templated prompt before padding or truncation. */
  readonly tokens: number;
  /** Set when the prompt was truncated. */
  readonly warning: PromptTruncated | null;
}

/**
 * Tokenizes prompts as the FLUX.2 klein pipeline does: each prompt rendered by the chat template as
 * one user message (generation prompt, thinking off), tokenized without added special tokens,
 * truncated to `maxLength` (keeping the start, as transformers' right-side truncation does; a
 * warning names each prompt cut) and right-padded with the pad token. Independent of any session.
 */
export function encodePrompts(tokenizer: Qwen3Tokenizer, prompts: readonly string[], options: EncodePromptsOptions = {}): E.Either<TextError, EncodedPrompts> {
  const length = options.maxLength ?? DEFAULT_TEXT_LENGTH;
  if (!Number.isInteger(length) || length <= 0) return E.left({ _tag: 'InvalidMaxLength', value: length });
  const batch = prompts.length;
  const inputIds = new BigInt64Array(batch * length);
  const attentionMask = new BigInt64Array(batch * length);
  const tokenCounts = new Int32Array(batch);
  const warnings: PromptTruncated[] = [];
  for (let index = 0; index < batch; index++) {
    const encoded = encodePrompt(tokenizer, prompts[index] as string, options, index);
    if (E.isLeft(encoded)) return encoded;
    const { inputIds: ids, attentionMask: mask, tokens, warning } = encoded.right;
    for (let t = 0; t < length; t++) {
      inputIds[index * length + t] = BigInt(ids[t] as number);
      attentionMask[index * length + t] = BigInt(mask[t] as number);
    }
    tokenCounts[index] = tokens;
    if (warning) warnings.push(warning);
  }
  return E.right({ batch, length, inputIds, attentionMask, tokenCounts, truncated: warnings.length > 0, warnings });
}

/** One prompt through the chat template, tokenizer, truncation and padding (`index` numbers it in warnings). */
export function encodePrompt(tokenizer: Qwen3Tokenizer, prompt: string, options: EncodePromptsOptions = {}, index = 0): E.Either<TextError, EncodedPrompt> {
  const length = options.maxLength ?? DEFAULT_TEXT_LENGTH;
  if (!Number.isInteger(length) || length <= 0) return E.left({ _tag: 'InvalidMaxLength', value: length });
  const rendered = E.tryCatch(
    () => tokenizer.renderChatPrompt(prompt),
    (error): TextError => ({ _tag: 'ChatTemplateFailed', reason: String(error) }),
  );
  if (E.isLeft(rendered)) return rendered;
  const ids = tokenizer.encodeText(rendered.right);
  const kept = Math.min(ids.length, length);
  const inputIds = new Int32Array(length).fill(tokenizer.padTokenId);
  const attentionMask = new Int32Array(length);
  inputIds.set(ids.slice(0, kept));
  attentionMask.fill(1, 0, kept);
  const warning: PromptTruncated | null =
    ids.length > length
      ? {
          _tag: 'PromptTruncated',
          index,
          tokens: ids.length,
          maxLength: length,
          message: `Prompt ${index + 1} has ${ids.length} tokens with the chat template; only the first ${length} are encoded.`,
        }
      : null;
  return E.right({ inputIds, attentionMask, tokens: ids.length, warning });
}
