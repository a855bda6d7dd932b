import { existsSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_STIMULUS_SETS,
  builtinStimulusSetPath,
  contentHash,
  diffPrompts,
  isBuiltinStimulusSet,
  loadBuiltinStimulusSet,
  validateStimulusSet,
  type BuiltinStimulusSetName,
  type LoadedStimulusSet,
} from '../src/index.js';
import { qwen3TokenCounter } from './qwen3-token-counter.js';

function builtin(name: BuiltinStimulusSetName): LoadedStimulusSet {
  const result = loadBuiltinStimulusSet(name);
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

const qwen3 = qwen3TokenCounter();

/** Qwen3 token counts of both prompts of every pair, checked by hand when the set was written. */
const MORAL_PLANTAIN_TOKENS: Record<string, number> = {
  'pa-01': 36, 'pa-02': 34, 'pa-03': 34, 'pa-04': 37, 'pa-05': 30,
  'si-01': 36, 'si-02': 37, 'si-03': 39, 'si-04': 33, 'si-05': 35,
  'ho-01': 31, 'ho-02': 32, 'ho-03': 33, 'ho-04': 34, 'ho-05': 28,
  'th-01': 30, 'th-02': 32, 'th-03': 35, 'th-04': 38, 'th-05': 36,
  'cv-01': 27, 'cv-02': 30, 'cv-03': 32, 'cv-04': 29, 'cv-05': 30,
};

/**
 * Content hash of moral-plantain 1.1.0 (1.0.0's prompts and a neutral description per pair; 1.0.0
 * was 8466575e...), computed independently in Python (yaml.safe_load, strings NFC-normalized and
 * stripped, json.dumps with sort_keys and no whitespace, sha256). A change to the set must come
 * with a new version and a new recorded hash.
 */
const MORAL_PLANTAIN_HASH = '2c160cac26ccd0afd9530c3ae0bd69c38695cad46afb404e7ad5731a5abe335b';

describe('the built-in moral-plantain set', () => {
  const { set, source } = builtin('moral-plantain');

  it('passes strict validation with the real Qwen3 tokenizer and no tolerance', () => {
    const report = validateStimulusSet(set, { tokenCounter: qwen3, source });
    expect(report.problems).toEqual([]);
  });

  it('has 25 pairs, 5 in each of the five declared categories', () => {
    expect(set.pairs).toHaveLength(25);
    expect(set.categories).toEqual(['physical-assistance', 'social-inclusion', 'honesty', 'restraint-from-theft', 'care-for-vulnerable-parties']);
    for (const category of set.categories ?? []) expect(set.pairs.filter((p) => p.category === category)).toHaveLength(5);
  });

  it('gives both prompts of each pair the recorded number of Qwen3 tokens', () => {
    const counts = Object.fromEntries(set.pairs.map((p) => [p.id, [qwen3.count(p.a), qwen3.count(p.b)]]));
    expect(counts).toEqual(Object.fromEntries(Object.entries(MORAL_PLANTAIN_TOKENS).map(([id, n]) => [id, [n, n]])));
  });

  it('changes one contiguous span per pair, after the scene and agents are introduced', () => {
    for (const pair of set.pairs) {
      const { hunks } = diffPrompts(pair.a, pair.b);
      expect(hunks, pair.id).toHaveLength(1);
      const prefix = pair.a.slice(0, hunks[0]?.a.start);
      for (const agent of pair.agents) expect(prefix.toLowerCase(), `${pair.id}: ${agent}`).toContain(agent.toLowerCase());
    }
  });

  it('puts every pair in its own scene and starts every prompt as a photo description', () => {
    expect(new Set(set.pairs.map((p) => p.scene)).size).toBe(25);
    for (const pair of set.pairs) {
      expect(pair.a.startsWith('A photo of ')).toBe(true);
      expect(pair.b.startsWith('A photo of ')).toBe(true);
    }
  });

  it('stays clear of political and contested subjects', () => {
    const contested = /\b(politic\w*|election|vote|protest\w*|flag|church|mosque|temple|religio\w*|immigra\w*|refugee|border|police|soldier|army|war|gun|abortion|homeless\w*)\b/iu;
    for (const pair of set.pairs) expect(`${pair.a} ${pair.b}`, pair.id).not.toMatch(contested);
  });

  it('is not an example set and has the recorded content hash', () => {
    expect(set.example).toBe(false);
    expect(contentHash(set)).toBe(MORAL_PLANTAIN_HASH);
  });
});

describe('the built-in physical-scale example set', () => {
  it('is marked as an example and passes strict validation', () => {
    const { set, source } = builtin('physical-scale');
    expect(set.example).toBe(true);
    expect(set.axis).toBe('physical scale');
    expect(validateStimulusSet(set, { tokenCounter: qwen3, source }).problems).toEqual([]);
  });
});

describe('built-in set files', () => {
  it('resolves every built-in name to a YAML file in the package', () => {
    for (const name of BUILTIN_STIMULUS_SETS) expect(existsSync(builtinStimulusSetPath(name)), name).toBe(true);
    expect(isBuiltinStimulusSet('moral-plantain')).toBe(true);
    expect(isBuiltinStimulusSet('nope')).toBe(false);
  });
});
