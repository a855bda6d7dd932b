import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { canonicalStimulusSet, contentHash, parseStimulusSet, type StimulusSet } from '../src/index.js';
import { VALID_YAML } from './fixtures.js';

function setOf(yaml: string): StimulusSet {
  const result = parseStimulusSet(yaml, 'set.yaml');
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right.set;
}

/** The same set as VALID_YAML: flow style, other key order, other quoting, comments, CRLF, extra spaces. */
const REFORMATTED = [
  '# a comment that must not matter',
  'pairs:',
  '  - {id: "p-1", category: honesty, scene: shop, agents: ["cashier", customer],',
  "     b: 'A cashier and a customer pocketing the change.', a: A cashier and a customer handing back the change.}",
  '  - id: p-2   # trailing comment',
  '    b: >-',
  '      A boy ignoring a lost',
  '      puppy in the park.',
  '    a: "  A boy comforting a lost puppy in the park.  "',
  '    agents:',
  '      - boy',
  '    scene: park',
  '    category: care',
  'categories: [honesty, care]',
  'license: Apache-2.0',
  'language: en',
  'conditions: {b: ignoring, a: helping}',
  'description: "A tiny set for tests."',
  'axis: moral valence',
  "version: '1.0.0'",
  'name: tiny',
  'format: moral-plantain/stimuli@1',
  'example: false',
  '',
].join('\r\n');

describe('contentHash', () => {
  it('is the sha256 of the documented canonical serialization', () => {
    const expected =
      '{"axis":"moral valence","categories":["honesty","care"],"conditions":{"a":"helping","b":"ignoring"},' +
      '"description":"A tiny set for tests.","example":false,"format":"moral-plantain/stimuli@1","language":"en",' +
      '"license":"Apache-2.0","name":"tiny","pairs":[' +
      '{"a":"A cashier and a customer handing back the change.","agents":["cashier","customer"],' +
      '"b":"A cashier and a customer pocketing the change.","category":"honesty","id":"p-1","scene":"shop"},' +
      '{"a":"A boy comforting a lost puppy in the park.","agents":["boy"],"b":"A boy ignoring a lost puppy in the park.",' +
      '"category":"care","id":"p-2","scene":"park"}],"version":"1.0.0"}';
    const set = setOf(VALID_YAML);
    expect(canonicalStimulusSet(set)).toBe(expected);
    expect(contentHash(set)).toBe(createHash('sha256').update(Buffer.from(expected, 'utf8')).digest('hex'));
  });

  it('does not change when only the YAML formatting, key order or comments change', () => {
    expect(contentHash(setOf(REFORMATTED))).toBe(contentHash(setOf(VALID_YAML)));
  });

  it('changes when one character of one prompt changes', () => {
    const changed = VALID_YAML.replace('lost puppy in the park.', 'lost puppy in the bark.');
    expect(contentHash(setOf(changed))).not.toBe(contentHash(setOf(VALID_YAML)));
  });

  it('changes when the order of pairs changes', () => {
    const set = setOf(VALID_YAML);
    expect(contentHash({ ...set, pairs: [...set.pairs].reverse() })).not.toBe(contentHash(set));
  });

  it('treats composed and decomposed Unicode as the same text', () => {
    const set = setOf(VALID_YAML);
    const composed = { ...set, description: 'Caf\u00e9 scenes.' };
    const decomposed = { ...set, description: 'Cafe\u0301 scenes.' };
    expect(contentHash(decomposed)).toBe(contentHash(composed));
  });
});
