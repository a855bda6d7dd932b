import type { Qwen3Tokenizer } from './qwen3-tokenizer.js';

/** A token counter, shaped as `@moral-plantain/stimuli`'s `TokenCounter`. */
export interface TextTokenCounter {
  /** Shown in reports. */
  readonly name: string;
  /** Tokens of `text` as the model sees it, without special tokens or the chat template around it. */
  readonly count: (text: string) => number;
}

/** The canonical Qwen3 token counter for stimulus validation: a prompt's own tokens, nothing added. */
export function qwen3TokenCounter(tokenizer: Qwen3Tokenizer): TextTokenCounter {
  return { name: 'qwen3', count: (text) => tokenizer.encodeText(text).length };
}
