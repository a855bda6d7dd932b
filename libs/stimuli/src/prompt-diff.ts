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

/**
 * Word-level diff of two prompts (words are whitespace-separated and compared exactly, punctuation
 * included), from a longest common subsequence: each maximal run of unmatched words is one hunk.
 */
export function diffPrompts(a: string, b: string): PromptDiff {
  const wa = splitWords(a);
  const wb = splitWords(b);
  const m = wa.length;
  const n = wb.length;
  // lcs[i * (n + 1) + j] is the LCS length of wa[i..] and wb[j..].
  const lcs = new Uint32Array((m + 1) * (n + 1));
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      lcs[i * (n + 1) + j] =
        wa[i].text === wb[j].text ? lcs[(i + 1) * (n + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (n + 1) + j], lcs[i * (n + 1) + j + 1]);
    }
  }
  const hunks: DiffHunk[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && wa[i].text === wb[j].text) {
      i++;
      j++;
      continue;
    }
    const i0 = i;
    const j0 = j;
    while ((i < m || j < n) && !(i < m && j < n && wa[i].text === wb[j].text)) {
      if (j < n && (i >= m || lcs[i * (n + 1) + j + 1] >= lcs[(i + 1) * (n + 1) + j])) j++;
      else i++;
    }
    hunks.push({ a: span(a, wa, i0, i), b: span(b, wb, j0, j) });
  }
  return { hunks };
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
