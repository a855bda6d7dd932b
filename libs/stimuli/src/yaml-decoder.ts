import * as A from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { normalizeText } from './normalize-text.js';
import type { SourceLocation } from './source-location.js';
import { stimulusProblem, type StimulusProblem } from './stimulus-problem.js';

/** A decoded value, or every problem found while decoding it. */
export type Decoded<A> = E.Either<NEA.NonEmptyArray<StimulusProblem>, A>;

/** Applicative validation over problem lists: decoders combined with it report all failures at once. */
export const DecodedApplicative = E.getApplicativeValidation(NEA.getSemigroup<StimulusProblem>());

/** What a decoder needs to place problems in the file, and where it records value locations. */
export interface DecodeContext {
  readonly file: string;
  readonly lineCounter: LineCounter;
  readonly locations: Map<string, SourceLocation>;
}

/** The file location of a YAML node (its first character). */
export function nodeLocation(ctx: DecodeContext, node: Node | null | undefined): SourceLocation {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { file: ctx.file, line, column: col };
}

/** Records the node's location under `path` and returns it. */
export function record(ctx: DecodeContext, path: string, node: Node | null | undefined): SourceLocation {
  const location = nodeLocation(ctx, node);
  ctx.locations.set(path, location);
  return location;
}

/** A single failed decode. */
export function fail<A>(
  ctx: DecodeContext,
  node: Node | null | undefined,
  code: StimulusProblem['code'],
  message: string,
  path: string,
): Decoded<A> {
  return E.left([stimulusProblem(code, message, path, { location: nodeLocation(ctx, node) })]);
}

/** Decodes a mapping (its keys are checked separately, by `knownKeys`, so that both kinds of problem show at once). */
export function decodeMap(ctx: DecodeContext, node: unknown, path: string): Decoded<YAMLMap<unknown, unknown>> {
  if (!isMap(node)) return fail(ctx, asNode(node), 'wrong-type', `${describe(path)} must be a mapping of keys to values.`, path);
  record(ctx, path, node);
  return E.right(node);
}

/** Checks that a mapping has no keys outside `known`, one problem per unknown key. */
export function knownKeys(ctx: DecodeContext, map: YAMLMap<unknown, unknown>, path: string, known: readonly string[]): Decoded<void> {
  const unknown = map.items.flatMap((item) => {
    const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
    return known.includes(key)
      ? []
      : [
          stimulusProblem('unknown-field', `Unknown field "${key}" in ${describe(path)}; expected one of: ${known.join(', ')}.`, `${path}/${key}`, {
            location: nodeLocation(ctx, asNode(item.key)),
          }),
        ];
  });
  return A.isNonEmpty(unknown) ? E.left(unknown) : E.right(undefined);
}

/** The value node under `key` of a mapping, or a missing-field problem placed at the mapping. */
export function requiredField(ctx: DecodeContext, map: YAMLMap<unknown, unknown>, key: string, path: string): Decoded<unknown> {
  return map.has(key)
    ? E.right(map.get(key, true))
    : fail(ctx, map, 'missing-field', `Missing required field "${key}" in ${describe(path)}.`, `${path}/${key}`);
}

/** Decodes a non-empty string scalar (numbers and booleans are refused, to keep the text explicit). */
export function decodeString(ctx: DecodeContext, node: unknown, path: string): Decoded<string> {
  if (!isScalar(node) || typeof node.value !== 'string') {
    return fail(ctx, asNode(node), 'wrong-type', `${describe(path)} must be a string${quoteHint(node)}.`, path);
  }
  record(ctx, path, node);
  const text = normalizeText(node.value);
  return text.length > 0 ? E.right(text) : fail(ctx, node, 'invalid-value', `${describe(path)} must not be empty.`, path);
}

/** Decodes a boolean scalar. */
export function decodeBoolean(ctx: DecodeContext, node: unknown, path: string): Decoded<boolean> {
  if (!isScalar(node) || typeof node.value !== 'boolean') {
    return fail(ctx, asNode(node), 'wrong-type', `${describe(path)} must be true or false.`, path);
  }
  record(ctx, path, node);
  return E.right(node.value);
}

/** Decodes a sequence whose items each decode with `item`, accumulating the problems of all items. */
export function decodeSeq<A>(
  ctx: DecodeContext,
  node: unknown,
  path: string,
  item: (node: unknown, path: string) => Decoded<A>,
  minItems = 1,
): Decoded<readonly A[]> {
  if (!isSeq(node)) return fail(ctx, asNode(node), 'wrong-type', `${describe(path)} must be a list.`, path);
  record(ctx, path, node);
  if (node.items.length < minItems) {
    return fail(ctx, node, 'invalid-value', `${describe(path)} must have at least ${minItems} item${minItems === 1 ? '' : 's'}.`, path);
  }
  const problems: StimulusProblem[] = [];
  const values: A[] = [];
  node.items.forEach((child, index) => {
    const decoded = item(child, `${path}/${index}`);
    if (E.isLeft(decoded)) problems.push(...decoded.left);
    else values.push(decoded.right);
  });
  return A.isNonEmpty(problems) ? E.left(problems) : E.right(values);
}

/** A readable name for a JSON pointer, e.g. `field "a" of pairs[3]`. */
export function describe(path: string): string {
  if (path === '') return 'the document';
  const parts = path.split('/').slice(1);
  const last = parts[parts.length - 1] ?? '';
  const parent = parts.slice(0, -1).reduce((acc, part) => (/^\d+$/u.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  return /^\d+$/u.test(last) ? `item ${last} of ${parent || 'the document'}` : `field "${last}"${parent ? ` of ${parent}` : ''}`;
}

/** The YAML node behind a value, when it is one. */
export function asNode(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && 'range' in value ? (value as Node) : undefined;
}

function quoteHint(node: unknown): string {
  return isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean') ? ' (quote it to keep it as text)' : '';
}
