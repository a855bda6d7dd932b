import { readFileSync } from 'node:fs';
import { sequenceS } from 'fp-ts/lib/Apply.js';
import * as A from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { Ord } from 'fp-ts/lib/Ord.js';
import { LineCounter, parseDocument } from 'yaml';
import { errorReason } from '@moral-plantain/formats';
import type { StimulusSetSource } from './source-location.js';
import { STIMULUS_SET_FORMAT, type StimulusPair, type StimulusSet } from './stimulus-set.js';
import { stimulusProblem, type StimulusProblem } from './stimulus-problem.js';
import {
  decodeBoolean,
  DecodedApplicative,
  decodeMap,
  decodeSeq,
  decodeString,
  knownKeys,
  fail,
  asNode,
  requiredField,
  type DecodeContext,
  type Decoded,
} from './yaml-decoder.js';

/** A set together with where it came from, so that later problems can point into the file. */
export interface LoadedStimulusSet {
  readonly set: StimulusSet;
  readonly source: StimulusSetSource;
}

/** Why a stimulus-set file could not be loaded. */
export type StimulusSetLoadError =
  | { readonly _tag: 'FileUnreadable'; readonly file: string; readonly reason: string }
  | { readonly _tag: 'InvalidStimulusSet'; readonly file: string; readonly problems: NEA.NonEmptyArray<StimulusProblem> };

const TOP_LEVEL_FIELDS = [
  '$schema',
  'format',
  'name',
  'version',
  'axis',
  'description',
  'contrast',
  'conditions',
  'language',
  'license',
  'example',
  'categories',
  'pairs',
] as const;
const PAIR_FIELDS = ['id', 'category', 'scene', 'agents', 'a', 'b', 'neutral', 'notes'] as const;
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/u;
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/u;

/** Reads and parses a stimulus-set YAML file, reporting every problem with its line and column. */
export function loadStimulusSetFile(file: string): E.Either<StimulusSetLoadError, LoadedStimulusSet> {
  return pipe(
    E.tryCatch(
      () => readFileSync(file, 'utf8'),
      (error): StimulusSetLoadError => ({ _tag: 'FileUnreadable', file, reason: errorReason(error) }),
    ),
    E.flatMap((text) => parseStimulusSet(text, file)),
  );
}

/** Parses stimulus-set YAML text (`file` names it in locations), reporting every problem at once. */
export function parseStimulusSet(text: string, file: string): E.Either<StimulusSetLoadError, LoadedStimulusSet> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const ctx: DecodeContext = { file, lineCounter, locations: new Map() };
  const invalid = (problems: NEA.NonEmptyArray<StimulusProblem>): StimulusSetLoadError => ({
    _tag: 'InvalidStimulusSet',
    file,
    problems: NEA.sort(byPosition)(problems),
  });
  const syntax = doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return stimulusProblem('yaml-syntax', `YAML syntax error: ${error.message.split('\n')[0]}`, '', { location: { file, line, column: col } });
  });
  if (A.isNonEmpty(syntax)) return E.left(invalid(syntax));
  return pipe(
    decodeSet(ctx, doc.contents),
    E.map((set) => ({ set, source: { file, locations: ctx.locations } })),
    E.mapLeft(invalid),
  );
}

const byPosition: Ord<StimulusProblem> = {
  equals: (x, y) => byPosition.compare(x, y) === 0,
  compare: (x, y) => {
    const d = (x.location?.line ?? 0) - (y.location?.line ?? 0) || (x.location?.column ?? 0) - (y.location?.column ?? 0);
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  },
};

function decodeSet(ctx: DecodeContext, root: unknown): Decoded<StimulusSet> {
  return pipe(
    decodeMap(ctx, root, ''),
    E.flatMap((map) => {
      const field = <A>(key: string, decode: (node: unknown, path: string) => Decoded<A>): Decoded<A> =>
        pipe(
          requiredField(ctx, map, key, ''),
          E.flatMap((node) => decode(node, `/${key}`)),
        );
      const optional = <A>(key: string, decode: (node: unknown, path: string) => Decoded<A>): Decoded<A | undefined> =>
        map.has(key) ? decode(map.get(key, true), `/${key}`) : E.right(undefined);
      return pipe(
        sequenceS(DecodedApplicative)({
          keys: knownKeys(ctx, map, '', TOP_LEVEL_FIELDS),
          format: field('format', (node, path) => decodeFormat(ctx, node, path)),
          name: field('name', (node, path) => decodePattern(ctx, node, path, NAME_PATTERN, 'lower-case letters, digits and hyphens')),
          version: field('version', (node, path) => decodeString(ctx, node, path)),
          axis: field('axis', (node, path) => decodeString(ctx, node, path)),
          description: field('description', (node, path) => decodeString(ctx, node, path)),
          contrast: optional('contrast', (node, path) => decodeString(ctx, node, path)),
          conditions: field('conditions', (node, path) => decodeConditions(ctx, node, path)),
          language: field('language', (node, path) => decodeString(ctx, node, path)),
          license: field('license', (node, path) => decodeString(ctx, node, path)),
          example: optional('example', (node, path) => decodeBoolean(ctx, node, path)),
          categories: optional('categories', (node, path) => decodeSeq(ctx, node, path, (item, p) => decodeString(ctx, item, p))),
          pairs: field('pairs', (node, path) => decodeSeq(ctx, node, path, (item, p) => decodePair(ctx, item, p))),
        }),
        E.map(({ keys: _keys, example, categories, contrast, ...rest }): StimulusSet => ({
          ...rest,
          ...(contrast !== undefined ? { contrast } : {}),
          example: example ?? false,
          ...(categories ? { categories } : {}),
        })),
      );
    }),
  );
}

function decodePair(ctx: DecodeContext, node: unknown, path: string): Decoded<StimulusPair> {
  return pipe(
    decodeMap(ctx, node, path),
    E.flatMap((map) => {
      const field = <A>(key: string, decode: (node: unknown, path: string) => Decoded<A>): Decoded<A> =>
        pipe(
          requiredField(ctx, map, key, path),
          E.flatMap((child) => decode(child, `${path}/${key}`)),
        );
      const text = (child: unknown, p: string): Decoded<string> => decodeString(ctx, child, p);
      return pipe(
        sequenceS(DecodedApplicative)({
          keys: knownKeys(ctx, map, path, PAIR_FIELDS),
          id: field('id', (child, p) => decodePattern(ctx, child, p, ID_PATTERN, 'lower-case letters, digits and hyphens')),
          category: field('category', text),
          scene: field('scene', text),
          agents: field('agents', (child, p) => decodeSeq(ctx, child, p, text)),
          a: field('a', text),
          b: field('b', text),
          neutral: map.has('neutral') ? text(map.get('neutral', true), `${path}/neutral`) : E.right(undefined),
          notes: map.has('notes') ? text(map.get('notes', true), `${path}/notes`) : E.right(undefined),
        }),
        E.map(({ keys: _keys, neutral, notes, ...rest }): StimulusPair => ({ ...rest, ...(neutral !== undefined ? { neutral } : {}), ...(notes !== undefined ? { notes } : {}) })),
      );
    }),
  );
}

function decodeConditions(ctx: DecodeContext, node: unknown, path: string): Decoded<StimulusSet['conditions']> {
  return pipe(
    decodeMap(ctx, node, path),
    E.flatMap((map) =>
      sequenceS(DecodedApplicative)({
        keys: knownKeys(ctx, map, path, ['a', 'b']),
        a: pipe(
          requiredField(ctx, map, 'a', path),
          E.flatMap((child) => decodeString(ctx, child, `${path}/a`)),
        ),
        b: pipe(
          requiredField(ctx, map, 'b', path),
          E.flatMap((child) => decodeString(ctx, child, `${path}/b`)),
        ),
      }),
    ),
    E.map(({ a, b }) => ({ a, b })),
  );
}

function decodeFormat(ctx: DecodeContext, node: unknown, path: string): Decoded<typeof STIMULUS_SET_FORMAT> {
  return pipe(
    decodeString(ctx, node, path),
    E.flatMap((value) =>
      value === STIMULUS_SET_FORMAT
        ? E.right(STIMULUS_SET_FORMAT)
        : fail(ctx, asNode(node), 'invalid-value', `Unsupported format "${value}"; this version reads "${STIMULUS_SET_FORMAT}".`, path),
    ),
  );
}

function decodePattern(ctx: DecodeContext, node: unknown, path: string, pattern: RegExp, what: string): Decoded<string> {
  return pipe(
    decodeString(ctx, node, path),
    E.flatMap((value) =>
      pattern.test(value) ? E.right(value) : fail(ctx, asNode(node), 'invalid-value', `"${value}" is not a valid ${path.split('/').pop()}: use ${what}.`, path),
    ),
  );
}

