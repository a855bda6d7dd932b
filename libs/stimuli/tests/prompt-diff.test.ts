import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffPrompts } from '../src/index.js';

/** Rebuilds b's words from a by putting each hunk's b text in place of its a text. */
function applyHunks(a: string, b: string): string[] {
  const { hunks } = diffPrompts(a, b);
  let out = '';
  let cursor = 0;
  for (const hunk of hunks) {
    out += `${a.slice(cursor, hunk.a.start)} ${hunk.b.text} `;
    cursor = hunk.a.end;
  }
  return (out + a.slice(cursor)).split(/\s+/u).filter(Boolean);
}

describe('diffPrompts', () => {
  it('finds the one span where a minimal pair differs, with its character offsets', () => {
    const a = 'A man in a red coat helping an old woman up the stairs.';
    const b = 'A man in a red coat walking past an old woman up the stairs.';
    const { hunks } = diffPrompts(a, b);
    expect(hunks).toEqual([{ a: { start: 20, end: 27, text: 'helping' }, b: { start: 20, end: 32, text: 'walking past' } }]);
  });

  it('diffs multi-megabyte prompts in time and memory linear in their length', () => {
    const filler = Array.from({ length: 600_000 }, (_, i) => `w${i % 997}`).join(' ');
    const a = `${filler} helping ${filler}`;
    const b = `${filler} ignoring ${filler}`;
    expect(a.length).toBeGreaterThan(5_000_000);
    const started = performance.now();
    const { hunks } = diffPrompts(a, b);
    expect(hunks.map((h) => [h.a.text, h.b.text])).toEqual([['helping', 'ignoring']]);
    expect(hunks[0]!.a.start).toBe(filler.length + 1);
    // Generous; the quadratic table this replaces needed a terabyte here.
    expect(performance.now() - started).toBeLessThan(60_000);
    // Differing middles too long to compare word by word are one span holding every difference.
    const long = diffPrompts(`x ${filler} y`, `z ${filler} w`).hunks;
    expect(long).toHaveLength(1);
    expect([long[0]!.a.start, long[0]!.a.end]).toEqual([0, filler.length + 4]);
  });

  it('counts two separate changes as two hunks', () => {
    const { hunks } = diffPrompts('a man helping a woman carry bags', 'a man ignoring a woman struggling to carry bags');
    expect(hunks.map((h) => [h.a.text, h.b.text])).toEqual([
      ['helping', 'ignoring'],
      ['', 'struggling to'],
    ]);
  });

  it('gives no hunks for identical prompts and one for a pure insertion at the end', () => {
    expect(diffPrompts('same words here', 'same words here').hunks).toEqual([]);
    expect(diffPrompts('x y', 'x y z').hunks).toEqual([{ a: { start: 3, end: 3, text: '' }, b: { start: 4, end: 5, text: 'z' } }]);
  });

  it('turns the words of a into those of b when the hunks are applied', () => {
    const word = fc.constantFrom('a', 'the', 'man', 'helps', 'ignores', 'woman', 'dog', 'red', 'park', 'near');
    const text = fc.array(word, { maxLength: 12 }).map((ws) => ws.join(' '));
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(applyHunks(a, b)).toEqual(b.split(' ').filter(Boolean));
      }),
    );
  });

  it('gives one hunk when a shared prefix and suffix surround disjoint middles', () => {
    const prefix = fc.array(fc.constantFrom('a', 'photo', 'of', 'the', 'park'), { maxLength: 6 });
    const middleA = fc.array(fc.constantFrom('helping', 'carrying', 'lifting'), { minLength: 1, maxLength: 4 });
    const middleB = fc.array(fc.constantFrom('ignoring', 'passing', 'leaving'), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(prefix, middleA, middleB, prefix, (p, x, y, s) => {
        const hunks = diffPrompts([...p, ...x, ...s].join(' '), [...p, ...y, ...s].join(' ')).hunks;
        expect(hunks.map((h) => [h.a.text, h.b.text])).toEqual([[x.join(' '), y.join(' ')]]);
      }),
    );
  });
});
