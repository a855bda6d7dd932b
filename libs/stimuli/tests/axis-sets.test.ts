import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contentHash, diffPrompts, loadBuiltinStimulusSet, validateStimulusSet, type BuiltinStimulusSetName } from '../src/index.js';
import { qwen3TokenCounter } from './qwen3-token-counter.js';

const qwen3 = qwen3TokenCounter();

/**
 * The other axes of the original's comparison, each with the differing spans it allows (a -> b)
 * and its content hash, computed independently in Python (yaml.safe_load, strings NFC-normalized
 * and stripped, json.dumps with sort_keys and no whitespace, sha256). A change to a set must come
 * with a new version and a new recorded hash.
 */
const AXIS_SETS: readonly { name: BuiltinStimulusSetName; axis: string; spans: readonly [string, string][]; categories: readonly string[]; hash: string }[] = [
  {
    name: 'perspective-taking',
    axis: 'perspective-taking',
    spans: [
      ['through the eyes of', 'from a spot behind'],
      ['the viewpoint of', 'a point behind'],
    ],
    categories: ['sports-and-games', 'travel-and-transport', 'work-and-crafts', 'social-encounters', 'heights-and-vantage-points'],
    hash: 'e23725059c7bc5ef86d389ffb7bed48f004e0e0a1f31a644d444ac59b5fe5d6a',
  },
  {
    name: 'self-reference',
    axis: 'self-reference',
    spans: [['my', 'their']],
    categories: ['family-and-friends', 'home-and-places', 'pets-and-animals', 'body-and-clothing', 'belongings'],
    hash: '595ac4cefcd047b83933c920c18ccb318a8c04f6a2be1e29745c77bf783e1d76',
  },
  {
    name: 'post-event-categorization',
    axis: 'post-event categorization',
    spans: [['after', 'before']],
    categories: ['breakage', 'spills', 'falls-and-collapses', 'changes-of-state', 'games-and-contests'],
    hash: '076bc8617d7bc8d3a02844e845c2da17aced5124ab5674f65870265b986a4fb7',
  },
];

const CONTESTED = /\b(politic\w*|election|vote|protest\w*|flag|church|mosque|temple|religio\w*|immigra\w*|refugee|border|police|soldier|army|war|gun|weapon|abortion|homeless\w*|blood|injur\w*|kill\w*)\b/iu;

describe.each(AXIS_SETS)('the built-in $name set', ({ name, axis, spans, categories, hash }) => {
  const loaded = loadBuiltinStimulusSet(name);
  if (E.isLeft(loaded)) throw new Error(JSON.stringify(loaded.left));
  const { set, source } = loaded.right;

  it('passes strict validation with the real Qwen3 tokenizer and no tolerance', () => {
    expect(validateStimulusSet(set, { tokenCounter: qwen3, source }).problems).toEqual([]);
  });

  it('has 25 pairs, 5 in each of its five categories, a statement of its contrast, and is an experiment', () => {
    expect(set.axis).toBe(axis);
    expect(set.pairs).toHaveLength(25);
    expect(set.categories).toEqual(categories);
    for (const category of categories) expect(set.pairs.filter((p) => p.category === category), category).toHaveLength(5);
    expect(set.contrast?.length).toBeGreaterThan(100);
    expect(set.example).toBe(false);
  });

  it('gives both prompts of a pair the same number of Qwen3 tokens', () => {
    for (const pair of set.pairs) expect(qwen3.count(pair.b), pair.id).toBe(qwen3.count(pair.a));
  });

  it('changes exactly the contrast words, in one span, and nothing else', () => {
    const used = new Set<string>();
    for (const pair of set.pairs) {
      const { hunks } = diffPrompts(pair.a, pair.b);
      expect(hunks, pair.id).toHaveLength(1);
      const change: [string, string] = [hunks[0]!.a.text, hunks[0]!.b.text];
      expect(spans, pair.id).toContainEqual(change);
      used.add(change[0]);
      // Outside the span the prompts are the same text.
      expect(pair.a.slice(0, hunks[0]!.a.start)).toBe(pair.b.slice(0, hunks[0]!.b.start));
      expect(pair.a.slice(hunks[0]!.a.end)).toBe(pair.b.slice(hunks[0]!.b.end));
    }
    expect(used.size).toBe(spans.length);
  });

  it('names its agents in both prompts, gives each pair its own scene and starts every prompt as a photo description', () => {
    expect(new Set(set.pairs.map((p) => p.scene)).size).toBe(25);
    for (const pair of set.pairs) {
      expect(pair.agents.length, pair.id).toBeGreaterThan(0);
      for (const agent of pair.agents) for (const prompt of [pair.a, pair.b]) expect(prompt.toLowerCase(), `${pair.id}: ${agent}`).toContain(agent.toLowerCase());
      expect(pair.a.startsWith('A photo of ') && pair.b.startsWith('A photo of '), pair.id).toBe(true);
    }
  });

  it('stays clear of political, contested and violent subjects', () => {
    for (const pair of set.pairs) expect(`${pair.a} ${pair.b}`, pair.id).not.toMatch(CONTESTED);
  });

  it('has the recorded content hash', () => {
    expect(contentHash(set)).toBe(hash);
  });
});

describe('the perspective-taking set', () => {
  it('alternates its two wordings the same way in every category (pairs 1, 3, 5 and 2, 4)', () => {
    const loaded = loadBuiltinStimulusSet('perspective-taking');
    if (E.isLeft(loaded)) throw new Error('load');
    const wording = loaded.right.set.pairs.map((p) => (p.a.includes('through the eyes of') ? 1 : 2));
    expect(wording).toEqual(Array.from({ length: 5 }, () => [1, 2, 1, 2, 1]).flat());
  });

  it('repeats the agent whose view it is right after the span, the same in both prompts', () => {
    const loaded = loadBuiltinStimulusSet('perspective-taking');
    if (E.isLeft(loaded)) throw new Error('load');
    for (const pair of loaded.right.set.pairs) {
      const { hunks } = diffPrompts(pair.a, pair.b);
      const after = pair.a.slice(hunks[0]!.a.end).replace(/^ the |\.$/g, '');
      expect(pair.agents.some((agent) => agent.toLowerCase().startsWith(after.toLowerCase())), pair.id).toBe(true);
    }
  });
});
