import { describe, expect, it } from 'vitest';
import { readQwen3TokenizerJson, referenceQwen3Bpe } from '@moral-plantain/references';
import { qwen3Tokenizer } from './qwen3-token-counter.js';

const PROMPTS = [
  'Hello World',
  'A photo of an elderly woman with heavy grocery bags on the stairs of a brick apartment building, and a young man in a red jacket carrying the bags up the stairs for her.',
  'A photo of a mother duck leading her ducklings across a country road, and a driver in a red pickup truck speeding straight on toward them.',
  'A photo of a fruit seller at an outdoor market weighing apples for an elderly customer, with the seller thumb pressing down on the scale.',
];

describe('the Qwen3 tokenizer used for token counts', () => {
  const tokenizer = qwen3Tokenizer();
  const reference = referenceQwen3Bpe(readQwen3TokenizerJson());

  it.each(PROMPTS)('gives the same token ids as a direct BPE over tokenizer.json for %j', (prompt) => {
    const ids = tokenizer.encode(prompt, { add_special_tokens: false }).ids;
    expect(ids).toEqual(reference(prompt));
    expect(ids.length).toBeGreaterThan(0);
  });
});
