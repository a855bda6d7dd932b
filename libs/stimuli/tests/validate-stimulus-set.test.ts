import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  characterCounter,
  checkStimulusSet,
  parseStimulusSet,
  validateStimulusSet,
  wordCounter,
  type LoadedStimulusSet,
  type StimulusPair,
  type StimulusSet,
} from '../src/index.js';
import { VALID_YAML } from './fixtures.js';
import { qwen3TokenCounter } from './qwen3-token-counter.js';

function load(yaml = VALID_YAML): LoadedStimulusSet {
  const result = parseStimulusSet(yaml, 'set.yaml');
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

function withPair(set: StimulusSet, index: number, change: Partial<StimulusPair>): StimulusSet {
  return { ...set, pairs: set.pairs.map((p, i) => (i === index ? { ...p, ...change } : p)) };
}

const qwen3 = qwen3TokenCounter();

describe('validateStimulusSet', () => {
  it('finds no problems in a matched set and reports token counts and spans', () => {
    const { set } = load();
    const report = validateStimulusSet(set, { tokenCounter: qwen3 });
    expect(report.problems).toEqual([]);
    expect(report.tokenCounter).toBe('qwen3');
    const pair = report.pairs[1];
    expect(pair?.tokens?.a).toBe(pair?.tokens?.b);
    expect(pair?.windowTokens?.a).toBe((pair?.tokens?.a ?? 0) + 12);
    expect(pair?.hunks.map((h) => [h.a.text, h.b.text])).toEqual([['comforting', 'ignoring']]);
    expect(report.categories).toEqual([
      { name: 'honesty', count: 1 },
      { name: 'care', count: 1 },
    ]);
  });

  it('reports unequal token counts, and accepts them within the tolerance', () => {
    const { set } = load();
    const changed = withPair(set, 1, { b: 'A boy completely ignoring a lost puppy in the park.' });
    const strict = validateStimulusSet(changed, { tokenCounter: qwen3 });
    expect(strict.problems.map((p) => [p.code, p.pairId, p.severity])).toEqual([['token-count-mismatch', 'p-2', 'error']]);
    expect(strict.problems[0]?.message).toMatch(/10 qwen3 tokens in prompt a and 11 in prompt b/u);
    expect(validateStimulusSet(changed, { tokenCounter: qwen3, tokenTolerance: 1 }).problems).toEqual([]);
  });

  it("checks a pair's neutral description: its agents, that it is not a prompt, its window", () => {
    const { set } = load();
    expect(validateStimulusSet(withPair(set, 0, { neutral: 'A cashier and a customer at the counter of a shop.' }), { tokenCounter: qwen3 }).problems).toEqual([]);
    const problems = validateStimulusSet(withPair(set, 0, { neutral: 'A cashier at the counter of a shop.' }), { tokenCounter: qwen3 }).problems;
    expect(problems.map((p) => [p.code, p.path, p.message])).toEqual([['agent-missing', '/pairs/0/agents/1', 'Agent "customer" of pair "p-1" does not appear in the neutral description.']]);
    const repeated = validateStimulusSet(withPair(set, 0, { neutral: set.pairs[0]!.b }), { tokenCounter: qwen3 }).problems;
    expect(repeated.map((p) => [p.code, p.path])).toEqual([['neutral-repeats-prompt', '/pairs/0/neutral']]);
    const long = validateStimulusSet(withPair(set, 0, { neutral: `A cashier and a customer ${'at the shop '.repeat(200)}` }), { tokenCounter: qwen3 }).problems;
    expect(long.map((p) => [p.code, p.path])).toEqual([['context-window-exceeded', '/pairs/0/neutral']]);
  });

  it('skips token checks when no counter is given', () => {
    const { set } = load();
    const report = validateStimulusSet(withPair(set, 1, { b: 'A boy completely ignoring a lost puppy in the park.' }));
    expect(report.problems).toEqual([]);
    expect(report.tokenCounter).toBeNull();
    expect(report.pairs[0]?.tokens).toBeUndefined();
  });

  it('counts with a fallback counter when asked', () => {
    const { set } = load();
    const chars = validateStimulusSet(set, { tokenCounter: characterCounter() });
    expect(chars.pairs.map((p) => p.tokens)).toEqual([
      { a: 'A cashier and a customer handing back the change.'.length, b: 'A cashier and a customer pocketing the change.'.length },
      { a: 'A boy comforting a lost puppy in the park.'.length, b: 'A boy ignoring a lost puppy in the park.'.length },
    ]);
    expect(chars.problems.map((p) => p.code)).toEqual(['token-count-mismatch', 'token-count-mismatch']);
    const words = validateStimulusSet(set, { tokenCounter: wordCounter() });
    expect(words.pairs[0]?.tokens).toEqual({ a: 9, b: 8 });
    expect(words.problems.map((p) => [p.code, p.pairId])).toEqual([['token-count-mismatch', 'p-1']]);
  });

  it('reports prompts that differ in more than one place, and identical prompts', () => {
    const { set } = load();
    const twoSpans = withPair(set, 1, { b: 'A boy ignoring a lost puppy in the garden.' });
    const report = validateStimulusSet(twoSpans);
    expect(report.problems.map((p) => p.code)).toEqual(['multiple-spans']);
    expect(report.problems[0]?.message).toContain('"comforting" -> "ignoring", "park." -> "garden."');
    const same = withPair(set, 0, { b: set.pairs[0]?.a ?? '' });
    expect(validateStimulusSet(same).problems.map((p) => p.code)).toEqual(['identical-prompts']);
  });

  it('reports duplicate ids, empty prompts and unprintable characters together', () => {
    const { set } = load();
    const broken = withPair(withPair(set, 1, { id: 'p-1', a: '   ' }), 0, { b: 'A cashier and a customer\u200B pocketing the change.' });
    const problems = validateStimulusSet(broken).problems;
    expect(problems.map((p) => [p.code, p.path])).toEqual(
      expect.arrayContaining([
        ['unprintable-character', '/pairs/0/b'],
        ['duplicate-id', '/pairs/1/id'],
        ['empty-prompt', '/pairs/1/a'],
      ]),
    );
    expect(problems.find((p) => p.code === 'unprintable-character')?.message).toContain('U+200B');
  });

  it('reports an agent that is missing from one prompt', () => {
    const { set } = load();
    const problems = validateStimulusSet(withPair(set, 0, { agents: ['cashier', 'customer', 'manager'] })).problems;
    expect(problems.map((p) => [p.code, p.path, p.message])).toEqual([
      ['agent-missing', '/pairs/0/agents/2', 'Agent "manager" of pair "p-1" does not appear in prompt a and b.'],
    ]);
  });

  it('reports unbalanced and undeclared categories', () => {
    const { set } = load();
    const problems = validateStimulusSet(withPair(set, 1, { category: 'theft' })).problems;
    expect(problems.map((p) => p.code)).toEqual(['unknown-category', 'category-imbalance']);
    expect(problems[1]?.message).toContain('honesty 1, care 0, theft 1');
  });

  it('reports a prompt that does not fit the context window after the chat template', () => {
    const { set } = load();
    // Every prompt of the fixture has 10 tokens, 22 with the template's 12.
    const longer = withPair(set, 1, { a: 'A boy comforting a lost puppy in the park at dusk.', b: 'A boy ignoring a lost puppy in the park at dusk.' });
    expect(validateStimulusSet(longer, { tokenCounter: qwen3, contextWindow: 22 }).problems.map((p) => [p.code, p.path])).toEqual([
      ['context-window-exceeded', '/pairs/1/a'],
      ['context-window-exceeded', '/pairs/1/b'],
    ]);
    expect(validateStimulusSet(longer, { tokenCounter: qwen3, contextWindow: 25 }).problems).toEqual([]);
    expect(validateStimulusSet(set, { tokenCounter: qwen3 }).pairs.map((p) => p.windowTokens)).toEqual([
      { a: 22, b: 22 },
      { a: 22, b: 22 },
    ]);
  });

  it('turns design checks into warnings when not strict, keeping structural errors', () => {
    const { set } = load();
    const broken = withPair(withPair(set, 1, { b: 'A boy ignoring a lost puppy in the garden today.', category: 'theft' }), 0, { id: 'p-2' });
    const report = validateStimulusSet(broken, { tokenCounter: qwen3, strict: false });
    const severities = Object.fromEntries(report.problems.map((p) => [p.code, p.severity]));
    expect(severities).toEqual({
      'duplicate-id': 'error',
      'multiple-spans': 'warning',
      'unknown-category': 'warning',
      'token-count-mismatch': 'warning',
      'category-imbalance': 'warning',
    });
    expect([report.errorCount, report.warningCount]).toEqual([1, 4]);
  });

  it('places each problem at its line and column when given the source', () => {
    const { set, source } = load();
    const report = validateStimulusSet(withPair(set, 1, { b: 'A boy ignoring a lost puppy in the garden.' }), { source });
    expect(report.problems[0]?.location).toEqual({ file: 'set.yaml', line: 24, column: 8 });
  });
});

describe('checkStimulusSet', () => {
  it('gives the set back when it has no errors and every error otherwise', () => {
    const { set } = load();
    expect(checkStimulusSet(set, { tokenCounter: qwen3 })).toEqual(E.right(set));
    const result = checkStimulusSet(withPair(set, 1, { id: 'p-1', b: 'A boy ignoring a lost puppy in the garden.' }));
    expect(E.isLeft(result) && result.left.map((p) => p.code)).toEqual(['duplicate-id', 'multiple-spans']);
  });
});
