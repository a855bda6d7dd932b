/** Counts the tokens of a text; injected so the library never depends on a tokenizer. */
export interface TokenCounter {
  /** Shown in reports, e.g. `qwen3` or `chars`. */
  readonly name: string;
  /** The number of tokens of `text` as the model sees it, without special tokens added around it. */
  readonly count: (text: string) => number;
  /**
   * The text encoder's view of a whole prompt, for the context-window check: a prompt's tokens with
   * the model's chat template rendered around it (not finite when it cannot be rendered), and the
   * window they must fit. Absent for approximate counters, which then skip the check.
   */
  readonly context?: { readonly window: number; readonly count: (prompt: string) => number };
}

/**
 * Fallback counter: Unicode code points. Only an approximation of a model tokenizer (it over-counts
 * English text about four-fold); use the model's own tokenizer to match pair lengths.
 */
export function characterCounter(): TokenCounter {
  return { name: 'chars', count: (text) => [...text].length };
}

/** Fallback counter: whitespace-separated words. Only an approximation of a model tokenizer. */
export function wordCounter(): TokenCounter {
  return { name: 'words', count: (text) => text.split(/\s+/u).filter((w) => w.length > 0).length };
}
