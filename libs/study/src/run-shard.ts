import * as E from 'fp-ts/lib/Either.js';

/** One shard of a divided run: shard `index` (from 1) of `count`, as `run --shard index/count` names it. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The most shards a run may be divided into. */
export const MAX_SHARDS = 100_000;

/** A shard written `i/n` (1 <= i <= n); the reason it is not one otherwise. */
export function parseShard(text: string): E.Either<string, Shard> {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  return match && index >= 1 && index <= count && count <= MAX_SHARDS ? E.right({ index, count }) : E.left(`must be i/n with 1 <= i <= n <= ${MAX_SHARDS} (e.g. 2/4), got "${text}"`);
}

/** `2/4`. */
export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** `2-of-4`: how a shard names its record file. */
export function shardSlug(shard: Shard): string {
  return `${shard.index}-of-${shard.count}`;
}
