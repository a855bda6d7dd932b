/** A half-open range of characters of a prompt and the text in it. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** One region where the two prompts differ: what condition a has there, and what condition b has. */
export interface DiffHunk {
  readonly a: TextSpan;
  readonly b: TextSpan;
}

/** The word-level difference of two prompts; a minimal pair has exactly one hunk. */
export interface PromptDiff {
  readonly hunks: readonly DiffHunk[];
}

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Most word comparisons the exact diff of two prompts' differing middles may take (a 16 MB table). */
export const MAX_DIFF_CELLS = 4_000_000;

/**
 * Word-level diff of two prompts (words are whitespace-separated and compared exactly, punctuation
 * included). The common leading and trailing words are set aside first (linear in the length);
 * the differing middles are then compared through a longest common subsequence, each maximal run
 * of unmatched words one hunk. Middles too long for that (over `MAX_DIFF_CELLS` word pairs) are
 * one hunk: every difference lies in that one contiguous span.
 */
export function diffPrompts(a: string, b: string): PromptDiff {
  const wa = splitWords(a);
  const wb = splitWords(b);
  let prefix = 0;
  while (prefix < wa.length && prefix < wb.length && wa[prefix]!.text === wb[prefix]!.text) prefix++;
  let suffix = 0;
  while (suffix < wa.length - prefix && suffix < wb.length - prefix && wa[wa.length - 1 - suffix]!.text === wb[wb.length - 1 - suffix]!.text) suffix++;
  const m = wa.length - prefix - suffix;
  const n = wb.length - prefix - suffix;
  if (m === 0 && n === 0) return { hunks: [] };
  if (m === 0 || n === 0 || (m + 1) * (n + 1) > MAX_DIFF_CELLS) {
    return { hunks: [{ a: span(a, wa, prefix, prefix + m), b: span(b, wb, prefix, prefix + n) }] };
  }
  return { hunks: middleHunks(a, wa, b, wb, prefix, m, n) };
}

/** The hunks of the middles wa[prefix, prefix + m) and wb[prefix, prefix + n), from their longest common subsequence. */
function middleHunks(a: string, wa: readonly Word[], b: string, wb: readonly Word[], prefix: number, m: number, n: number): DiffHunk[] {
  const same = (i: number, j: number): boolean => wa[prefix + i]!.text === wb[prefix + j]!.text;
  // lcs[i * (n + 1) + j] is the LCS length of the middles from word i of a and word j of b.
  const lcs = new Uint32Array((m + 1) * (n + 1));
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      lcs[i * (n + 1) + j] = same(i, j) ? lcs[(i + 1) * (n + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (n + 1) + j]!, lcs[i * (n + 1) + j + 1]!);
    }
  }
  const hunks: DiffHunk[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && same(i, j)) {
      i++;
      j++;
      continue;
    }
    const i0 = i;
    const j0 = j;
    while ((i < m || j < n) && !(i < m && j < n && same(i, j))) {
      if (j < n && (i >= m || lcs[i * (n + 1) + j + 1]! >= lcs[(i + 1) * (n + 1) + j]!)) j++;
      else i++;
    }
    hunks.push({ a: span(a, wa, prefix + i0, prefix + i), b: span(b, wb, prefix + j0, prefix + j) });
  }
  return hunks;
}

function splitWords(text: string): Word[] {
  return [...text.matchAll(/\S+/gu)].map((match) => ({ text: match[0], start: match.index, end: match.index + match[0].length }));
}

/** The characters covered by words [from, to); an empty span sits where the words would be. */
function span(text: string, words: readonly Word[], from: number, to: number): TextSpan {
  if (from === to) {
    const at = from < words.length ? words[from].start : text.length;
    return { start: at, end: at, text: '' };
  }
  const start = words[from].start;
  const end = words[to - 1].end;
  return { start, end, text: text.slice(start, end) };
}
