import { describe, expect, it } from 'vitest';
import { qwen3ChatPrompt } from '../src/index.js';
import { qwen3Tokenizer, readQwen3TokenizerFiles, type QwenTokenizerJson } from './qwen3-token-counter.js';

/**
 * An independent byte-level BPE straight from tokenizer.json's vocab and merges, for plain ASCII
 * text (letters, spaces, commas and full stops), where Qwen3's pre-tokenizer splits into runs of
 * letters with an optional leading space and runs of punctuation.
 */
function referenceBpe(json: QwenTokenizerJson): (text: string) => number[] {
  const byteToChar = bytesToUnicode();
  const ranks = new Map<string, number>();
  json.model.merges.forEach((merge, rank) => {
    const [left, right] = typeof merge === 'string' ? merge.split(' ') : merge;
    ranks.set(`${left}\u0000${right}`, rank);
  });
  const encodeWord = (word: string): number[] => {
    let symbols = [...Buffer.from(word, 'utf8')].map((byte) => byteToChar[byte] ?? '');
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = ranks.get(`${symbols[i]}\u0000${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      symbols = [...symbols.slice(0, best), `${symbols[best]}${symbols[best + 1]}`, ...symbols.slice(best + 2)];
    }
    return symbols.map((symbol) => {
      const id = json.model.vocab[symbol];
      if (id === undefined) throw new Error(`symbol ${symbol} not in vocab`);
      return id;
    });
  };
  return (text) => {
    if (!/^[A-Za-z ,.]*$/u.test(text)) throw new Error('the reference BPE only handles letters, spaces, commas and full stops');
    return [...text.matchAll(/ ?[A-Za-z]+| ?[,.]+/gu)].flatMap((match) => encodeWord(match[0]));
  };
}

/** GPT-2's reversible map from bytes to printable characters, as byte-level BPE vocabularies use. */
function bytesToUnicode(): string[] {
  const printable = new Set<number>();
  for (const [lo, hi] of [
    [0x21, 0x7e],
    [0xa1, 0xac],
    [0xae, 0xff],
  ] as const) {
    for (let b = lo; b <= hi; b++) printable.add(b);
  }
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.has(b) ? b : 256 + extra++);
  return table;
}

const PROMPTS = [
  'Hello World',
  'A photo of an elderly woman with heavy grocery bags on the stairs of a brick apartment building, and a young man in a red jacket carrying the bags up the stairs for her.',
  'A photo of a mother duck leading her ducklings across a country road, and a driver in a red pickup truck speeding straight on toward them.',
  'A photo of a fruit seller at an outdoor market weighing apples for an elderly customer, with the seller thumb pressing down on the scale.',
];

describe('the Qwen3 tokenizer used for token counts', () => {
  const files = readQwen3TokenizerFiles();
  const tokenizer = qwen3Tokenizer();
  const reference = referenceBpe(files.tokenizer);

  it.each(PROMPTS)('gives the same token ids as a direct BPE over tokenizer.json for %j', (prompt) => {
    const ids = tokenizer.encode(prompt, { add_special_tokens: false }).ids;
    expect(ids).toEqual(reference(prompt));
    expect(ids.length).toBeGreaterThan(0);
  });

  it('adds exactly the 12 tokens of the chat template around a prompt', () => {
    const special = (content: string): number => {
      const token = files.tokenizer.added_tokens.find((t) => t.content === content);
      if (!token) throw new Error(`no added token ${content}`);
      return token.id;
    };
    const vocab = files.tokenizer.model.vocab;
    const newline = vocab['\u010a'];
    const twoNewlines = vocab['\u010a\u010a'];
    const prompt = PROMPTS[1] ?? '';
    const expected = [
      special('<|im_start|>'),
      vocab['user'],
      newline,
      ...reference(prompt),
      special('<|im_end|>'),
      newline,
      special('<|im_start|>'),
      vocab['assistant'],
      newline,
      special('<think>'),
      twoNewlines,
      special('</think>'),
      twoNewlines,
    ];
    expect(tokenizer.encode(qwen3ChatPrompt(prompt), { add_special_tokens: false }).ids).toEqual(expected);
  });
});
