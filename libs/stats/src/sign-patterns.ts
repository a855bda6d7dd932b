import type { Prng } from '@moral-plantain/formats';

/** Pairs per block of a sign pattern: one byte of flip bits. */
export const BLOCK_PAIRS = 8;

/**
 * Sign-flip patterns over n pairs, stored as bytes: pattern f's block g is `codes[f * blocks + g]`,
 * whose bit k set means pair 8g + k is flipped.
 */
export interface SignPatterns {
  readonly count: number;
  readonly nPairs: number;
  readonly blocks: number;
  readonly codes: Uint8Array;
  /** True when the set is all 2^n patterns (identity included) rather than a random sample. */
  readonly exact: boolean;
}

/** All 2^n sign patterns, the identity (no flip) first; pattern f flips the pairs of f's set bits. */
export function allSignPatterns(nPairs: number): SignPatterns {
  const count = 2 ** nPairs;
  const blocks = Math.ceil(nPairs / BLOCK_PAIRS);
  const codes = new Uint8Array(count * blocks);
  for (let f = 0; f < count; f++) {
    let rest = f;
    for (let g = 0; g < blocks; g++) {
      codes[f * blocks + g] = rest % 256;
      rest = Math.floor(rest / 256);
    }
  }
  return { count, nPairs, blocks, codes, exact: true };
}

/** `count` patterns, each pair flipped with probability 1/2 independently, drawn from `prng`. */
export function randomSignPatterns(nPairs: number, count: number, prng: Prng): SignPatterns {
  const blocks = Math.ceil(nPairs / BLOCK_PAIRS);
  const codes = new Uint8Array(count * blocks);
  for (let f = 0; f < count; f++) {
    for (let g = 0; g < blocks; g++) {
      const bits = Math.min(BLOCK_PAIRS, nPairs - g * BLOCK_PAIRS);
      codes[f * blocks + g] = prng.nextUint32() >>> (32 - bits);
    }
  }
  return { count, nPairs, blocks, codes, exact: false };
}
