import { DEFAULT_TEXT_LENGTH } from '@moral-plantain/formats';
import type { Qwen3Tokenizer } from './qwen3-tokenizer.js';

/** A token counter, shaped as `@moral-plantain/stimuli`'s `TokenCounter`. */
export interface TextTokenCounter {
  /** Shown in reports. */
  readonly name: string;
  /** Tokens of `text` as the model sees it, without special tokens or the chat template around it. */
  readonly count: (text: string) => number;
  /** The text encoder's view of a whole prompt: its tokens with the chat template rendered around it, and the window they must fit. */
  readonly context: { readonly window: number; readonly count: (prompt: string) => number };
}

/**
 * The canonical Qwen3 token counter for stimulus validation: a prompt's own tokens, nothing added;
 * and, for the context-window check, its tokens inside this tokenizer's own chat template against
 * `window` tokens (default `DEFAULT_TEXT_LENGTH`, 512). A template that fails to render counts as
 * infinitely long, so the check fails rather than passes.
 */
export function qwen3TokenCounter(tokenizer: Qwen3Tokenizer, window = DEFAULT_TEXT_LENGTH): TextTokenCounter {
  const count = (text: string): number => tokenizer.encodeText(text).length;
  const inTemplate = (prompt: string): number => {
    try {
      return count(tokenizer.renderChatPrompt(prompt));
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  };
  return { name: 'qwen3', count, context: { window, count: inTemplate } };
}
