import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contentHash, loadStimulusSetFile, parseStimulusSet, type StimulusProblem, type StimulusSetLoadError } from '../src/index.js';
import { VALID_YAML } from './fixtures.js';

function problemsOf(result: E.Either<StimulusSetLoadError, unknown>): readonly StimulusProblem[] {
  if (E.isRight(result)) throw new Error('expected the set to be rejected');
  if (result.left._tag !== 'InvalidStimulusSet') throw new Error(`expected InvalidStimulusSet, got ${result.left._tag}`);
  return result.left.problems;
}

describe('parseStimulusSet', () => {
  it('reads a valid set with its metadata and pairs', () => {
    const result = parseStimulusSet(VALID_YAML, 'tiny.yaml');
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
    const { set, source } = result.right;
    expect(set.name).toBe('tiny');
    expect(set.conditions).toEqual({ a: 'helping', b: 'ignoring' });
    expect(set.example).toBe(false);
    expect(set.categories).toEqual(['honesty', 'care']);
    expect(set.pairs.map((p) => p.id)).toEqual(['p-1', 'p-2']);
    expect(set.pairs[1]?.agents).toEqual(['boy']);
    expect(source.locations.get('/pairs/1/b')).toEqual({ file: 'tiny.yaml', line: 24, column: 8 });
  });

  it('reads an optional statement of the contrast, which the content hash covers', () => {
    const plain = parseStimulusSet(VALID_YAML, 'tiny.yaml');
    const stated = parseStimulusSet(VALID_YAML.replace('conditions:\n', 'contrast: Only the act changes.\nconditions:\n'), 'tiny.yaml');
    if (E.isLeft(plain) || E.isLeft(stated)) throw new Error('expected both to load');
    expect(plain.right.set.contrast).toBeUndefined();
    expect(stated.right.set.contrast).toBe('Only the act changes.');
    expect(contentHash(stated.right.set)).not.toBe(contentHash(plain.right.set));
    expect(problemsOf(parseStimulusSet(VALID_YAML.replace('conditions:\n', 'contrast: 3\nconditions:\n'), 'tiny.yaml')).map((p) => p.path)).toEqual(['/contrast']);
  });

  it('reports every problem of a broken file at once, each with its line and column', () => {
    const broken = VALID_YAML.replace('version: 1.0.0\n', '') // missing field, placed at the root mapping
      .replace('scene: shop', 'scene: 42') // wrong type
      .replace('id: p-2', 'id: P 2') // invalid id
      .replace('    agents: [boy]\n', '    agents: [boy]\n    colour: red\n'); // unknown field
    const problems = problemsOf(parseStimulusSet(broken, 'broken.yaml'));
    const summary = problems.map((p) => [p.code, p.path, p.location?.line, p.location?.column]);
    expect(summary).toEqual([
      ['missing-field', '/version', 1, 1],
      ['wrong-type', '/pairs/0/scene', 14, 12],
      ['invalid-value', '/pairs/1/id', 18, 9],
      ['unknown-field', '/pairs/1/colour', 22, 5],
    ]);
    expect(problems.every((p) => p.location?.file === 'broken.yaml')).toBe(true);
  });

  it('reports invalid values of several pairs together', () => {
    const broken = VALID_YAML.replace('id: p-1', 'id: P 1').replace('id: p-2', 'id: p_2').replace('a: helping', 'a: ""');
    const problems = problemsOf(parseStimulusSet(broken, 'x.yaml'));
    expect(problems.map((p) => [p.code, p.path, p.location?.line])).toEqual([
      ['invalid-value', '/conditions/a', 7],
      ['invalid-value', '/pairs/0/id', 13],
      ['invalid-value', '/pairs/1/id', 19],
    ]);
  });

  it('asks to quote a number where text is expected', () => {
    const problems = problemsOf(parseStimulusSet(VALID_YAML.replace('version: 1.0.0', 'version: 1.5'), 'x.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/must be a string \(quote it/u);
  });

  it('reports YAML syntax errors with their position', () => {
    const problems = problemsOf(parseStimulusSet('name: x\npairs: [a, b\n', 'bad.yaml'));
    expect(problems[0]?.code).toBe('yaml-syntax');
    expect(problems[0]?.location?.file).toBe('bad.yaml');
    expect(problems[0]?.location?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports duplicate keys as YAML errors', () => {
    const problems = problemsOf(parseStimulusSet(VALID_YAML.replace('name: tiny', 'name: tiny\nname: tiny2'), 'dup.yaml'));
    expect(problems.map((p) => [p.code, p.location?.line])).toEqual([['yaml-syntax', 3]]);
  });

  it('rejects an unsupported format identifier', () => {
    const problems = problemsOf(parseStimulusSet(VALID_YAML.replace('stimuli@1', 'stimuli@9'), 'x.yaml'));
    expect(problems.map((p) => p.code)).toEqual(['invalid-value']);
  });

  it('rejects a document that is not a mapping', () => {
    const problems = problemsOf(parseStimulusSet('- just\n- a list\n', 'x.yaml'));
    expect(problems.map((p) => [p.code, p.location?.line])).toEqual([['wrong-type', 1]]);
  });

  it('normalizes strings to NFC and trims them', () => {
    const decomposed = 'cafe\u0301';
    const result = parseStimulusSet(VALID_YAML.replace('scene: park', `scene: "  ${decomposed}  "`), 'x.yaml');
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
    expect(result.right.set.pairs[1]?.scene).toBe('caf\u00e9');
  });
});

describe('loadStimulusSetFile', () => {
  it('loads a set from disk and names the file in locations', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'stimuli-')), 'set.yaml');
    writeFileSync(file, VALID_YAML);
    const result = loadStimulusSetFile(file);
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
    expect(result.right.source.file).toBe(file);
  });

  it('gives FileUnreadable for a missing file', () => {
    const result = loadStimulusSetFile(path.join(tmpdir(), 'no-such-stimuli.yaml'));
    expect(E.isLeft(result) && result.left._tag).toBe('FileUnreadable');
  });
});
