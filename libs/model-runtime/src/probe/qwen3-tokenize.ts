import * as E from 'fp-ts/lib/Either.js';
import { encodePrompts } from '../text/encode-prompts.js';
import type { Qwen3Tokenizer } from '../text/qwen3-tokenizer.js';
import type { PromptTruncated } from '../text/encode-prompts.js';
import type { TextError } from '../text/text-error.js';
import type { PromptTokens, Tokenize } from './run-probe.js';

/** Options of `qwen3Tokenize`. */
export interface Qwen3TokenizeOptions {
  /** Tokens per prompt (default 512, FLUX.2 klein's `max_sequence_length`). */
  readonly maxLength?: number;
  /** Called for a prompt that was cut to `maxLength` (default: ignored). */
  readonly onTruncated?: (prompt: string, warning: PromptTruncated) => void;
}

/**
 * The probe's tokenizer for Qwen3 text encoders: the chat template and tokenizer of `encodePrompts`,
 * padded to `maxLength`, as int32 ids and mask. A template failure is thrown as the `TextError` value.
 */
export function qwen3Tokenize(tokenizer: Qwen3Tokenizer, options: Qwen3TokenizeOptions = {}): Tokenize {
  return (prompt: string): PromptTokens => {
    const encoded = encodePrompts(tokenizer, [prompt], options.maxLength !== undefined ? { maxLength: options.maxLength } : {});
    if (E.isLeft(encoded)) throw textFailure(encoded.left);
    for (const warning of encoded.right.warnings) options.onTruncated?.(prompt, warning);
    return { inputIds: Int32Array.from(encoded.right.inputIds, Number), attentionMask: Int32Array.from(encoded.right.attentionMask, Number) };
  };
}

function textFailure(error: TextError): Error {
  return Object.assign(new Error(`tokenization failed: ${error._tag}`), { textError: error });
}
