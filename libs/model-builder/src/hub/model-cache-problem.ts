import type { ErrorDescription } from '@moral-plantain/formats';

/** The shortest key prefix that names a model cache entry (a key is 64 hex digits). */
export const MIN_KEY_PREFIX = 8;

/** Why the model cache could not be listed, or what to remove from it not chosen or not done. */
export type ModelCacheProblem =
  | { readonly _tag: 'CacheUnreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'NothingChosen' }
  | { readonly _tag: 'InvalidAge'; readonly days: number }
  | { readonly _tag: 'KeyPrefixTooShort'; readonly prefix: string }
  | { readonly _tag: 'UnknownCacheTarget'; readonly target: string; readonly modelsDir: string }
  | { readonly _tag: 'AmbiguousKeyPrefix'; readonly prefix: string; readonly keys: readonly string[] }
  | { readonly _tag: 'RemoveFailed'; readonly path: string; readonly reason: string };

/** What is wrong, and what to do. */
export function describeModelCacheProblem(problem: ModelCacheProblem): ErrorDescription {
  switch (problem._tag) {
    case 'CacheUnreadable':
      return { message: `The model cache ${problem.path} cannot be read: ${problem.reason}.`, hint: 'Check its permissions, or point MORAL_PLANTAIN_CACHE at another folder.' };
    case 'NothingChosen':
      return { message: 'Nothing to remove was named.', hint: 'Give keys (or key prefixes), repo ids or pipeline folders as `moral-plantain model cache` lists them, or --older-than DAYS, --incomplete or --all.' };
    case 'InvalidAge':
      return { message: `--older-than ${problem.days} is not a number of days.`, hint: 'Give a number of days of at least 0, e.g. --older-than 30.' };
    case 'KeyPrefixTooShort':
      return { message: `The key prefix ${problem.prefix} is too short to name a cache entry.`, hint: `Give at least ${MIN_KEY_PREFIX} characters of the key, as \`moral-plantain model cache\` lists it.` };
    case 'UnknownCacheTarget':
      return {
        message: `Nothing in the model cache ${problem.modelsDir} is ${problem.target}: no entry has that key, nor was built from that repo id or pipeline folder.`,
        hint: 'Run `moral-plantain model cache` to see the entries, their keys and what they were built from.',
      };
    case 'AmbiguousKeyPrefix':
      return { message: `The key prefix ${problem.prefix} names ${problem.keys.length} entries: ${problem.keys.join(', ')}.`, hint: 'Give more characters of the key you mean.' };
    case 'RemoveFailed':
      return { message: `Could not remove ${problem.path}: ${problem.reason}.`, hint: 'Check the permissions of the model cache folder; what was removed before this stays removed.' };
  }
}
