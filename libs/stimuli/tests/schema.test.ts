import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { parseStimulusSet, stimulusSetSchemaPath } from '../src/index.js';
import { VALID_YAML } from './fixtures.js';

interface ObjectSchema {
  readonly required: readonly string[];
  readonly properties: Record<string, unknown>;
  readonly additionalProperties: boolean;
}

const schema = JSON.parse(readFileSync(stimulusSetSchemaPath(), 'utf8')) as ObjectSchema & { $defs: { pair: ObjectSchema } };

/** VALID_YAML with one top-level key (or one key of the first pair) removed or added. */
function edit(change: (root: YAMLMap, pair: YAMLMap) => void): string {
  const doc = parseDocument(VALID_YAML);
  const root = doc.contents;
  const pairs = isMap(root) ? root.get('pairs', true) : undefined;
  const pair = isSeq(pairs) ? pairs.items[0] : undefined;
  if (!isMap(root) || !isMap(pair)) throw new Error('fixture shape');
  change(root as YAMLMap, pair);
  return doc.toString();
}

function codesFor(yaml: string): readonly (readonly [string, string])[] {
  const result = parseStimulusSet(yaml, 'x.yaml');
  return E.isLeft(result) && result.left._tag === 'InvalidStimulusSet' ? result.left.problems.map((p) => [p.code, p.path] as const) : [];
}

describe('the shipped JSON Schema and the loader', () => {
  it('agree on the required top-level fields', () => {
    for (const key of schema.required) expect(codesFor(edit((root) => root.delete(key))), key).toEqual([['missing-field', `/${key}`]]);
  });

  it('agree on the optional top-level fields', () => {
    const optional = Object.keys(schema.properties).filter((k) => !schema.required.includes(k));
    expect(optional.sort()).toEqual(['$schema', 'categories', 'contrast', 'example']);
    for (const key of optional) expect(codesFor(edit((root) => root.delete(key))), key).toEqual([]);
    expect(codesFor(edit((root) => root.set('$schema', 'stimulus-set.schema.json')))).toEqual([]);
  });

  it('agree on the required and optional fields of a pair', () => {
    const pairSchema = schema.$defs.pair;
    for (const key of pairSchema.required) expect(codesFor(edit((_, pair) => pair.delete(key))), key).toEqual([['missing-field', `/pairs/0/${key}`]]);
    expect(Object.keys(pairSchema.properties).filter((k) => !pairSchema.required.includes(k))).toEqual(['neutral', 'notes']);
    expect(codesFor(edit((_, pair) => pair.set('notes', 'a note')))).toEqual([]);
    expect(codesFor(edit((_, pair) => pair.set('neutral', 'A cashier and a customer at the counter.')))).toEqual([]);
  });

  it('both refuse fields they do not know', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$defs.pair.additionalProperties).toBe(false);
    expect(codesFor(edit((root) => root.set('author', 'x')))).toEqual([['unknown-field', '/author']]);
    expect(codesFor(edit((_, pair) => pair.set('image', 'x')))).toEqual([['unknown-field', '/pairs/0/image']]);
  });
});
