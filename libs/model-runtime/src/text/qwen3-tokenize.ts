import * as E from 'fp-ts/lib/Either.js';
import { encodePrompt, type PromptTruncated } from './encode-prompts.js';
import type { PromptTokens, Tokenize } from './prompt-tokens.js';
import type { Qwen3Tokenizer } from './qwen3-tokenizer.js';

/** Options of `qwen3Tokenize`. */
export interface Qwen3TokenizeOptions {
  /** Tokens per prompt (default `DEFAULT_TEXT_LENGTH`, 512, FLUX.2 klein's `max_sequence_length`). */
  readonly maxLength?: number;
  /** Called for a prompt that was cut to `maxLength` (default: ignored). */
  readonly onTruncated?: (prompt: string, warning: PromptTruncated) => void;
}

/**
 * The probe's tokenizer for Qwen3 text encoders: the chat template and tokenizer of `encodePrompt`,
 * padded to `maxLength`, as int32 ids and mask; a template failure comes back as its `TextError`.
 */
export function qwen3Tokenize(tokenizer: Qwen3Tokenizer, options: Qwen3TokenizeOptions = {}): Tokenize {
  return (prompt) =>
    E.map(({ inputIds, attentionMask, warning }: { inputIds: Int32Array; attentionMask: Int32Array; warning: PromptTruncated | null }): PromptTokens => {
      if (warning) options.onTruncated?.(prompt, warning);
      return { inputIds, attentionMask };
    })(encodePrompt(tokenizer, prompt, options.maxLength !== undefined ? { maxLength: options.maxLength } : {}));
}
