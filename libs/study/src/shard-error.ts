import type { ErrorDescription } from '@moral-plantain/formats';
import type { ShardRecordProblem } from './shard-record.js';

/** Why shard folders cannot be merged into one run. */
export type ShardError =
  | { readonly _tag: 'NoShardRecords'; readonly dirs: readonly string[] }
  | { readonly _tag: 'ShardRecordsInvalid'; readonly problems: readonly ShardRecordProblem[] }
  | { readonly _tag: 'ShardsDiffer'; readonly differences: readonly string[]; readonly files: readonly [string, string] }
  | { readonly _tag: 'ShardsMissing'; readonly count: number; readonly missing: readonly number[]; readonly dirs: readonly string[] }
  | { readonly _tag: 'ShardDevicesDiffer'; readonly devices: readonly { readonly device: string; readonly file: string }[] }
  | { readonly _tag: 'ShardEntryMissing'; readonly prompt: string; readonly shard: string; readonly dir: string };

/** How many items a description lists before "and N more". */
const SHOWN = 4;

/** What stops a merge, and what to do about it. */
export function describeShardError(error: ShardError): ErrorDescription {
  switch (error._tag) {
    case 'NoShardRecords':
      return {
        message: `${list(error.dirs)} ${error.dirs.length === 1 ? 'holds' : 'hold'} no shard records (.cache/shards/*.json).`,
        hint: 'Run the shards first: `moral-plantain run --shard i/n --out DIR` for every i from 1 to n.',
      };
    case 'ShardRecordsInvalid':
      return {
        message: `${error.problems.length === 1 ? 'A shard record is' : `${error.problems.length} shard records are`} not valid: ${error.problems
          .slice(0, SHOWN)
          .map((p) => `${p.file}: ${p.problems.slice(0, SHOWN).join('; ')}`)
          .join('; ')}.`,
        hint: 'Run those shards again (their computed prompts are reused), or remove the records that are not shards of this run.',
      };
    case 'ShardsDiffer':
      return {
        message: `The shards are of different runs and cannot be merged: ${more(error.differences)} (${error.files[0]} and ${error.files[1]}).`,
        hint: 'Merge only the shards of one run: run the odd ones again with the same model and settings (prompts already computed are reused), or remove their records.',
      };
    case 'ShardsMissing':
      return {
        message: `Shard${error.missing.length === 1 ? '' : 's'} ${more(error.missing.map((i) => `${i}/${error.count}`))} of ${error.count} ${error.missing.length === 1 ? 'is' : 'are'} missing from ${list(error.dirs)}.`,
        hint: `Run ${error.missing.length === 1 ? 'it' : 'them'} (\`moral-plantain run --shard ${error.missing[0]}/${error.count} ...\` with the same settings), then merge again.`,
      };
    case 'ShardDevicesDiffer':
      return {
        message: `The shards ran on different devices (${error.devices.map((d) => `${d.device} in ${d.file}`).join(', ')}): merged, the pairs would differ by the devices' rounding as well as by their conditions.`,
        hint: 'Run every shard on one kind of device (--device), with --no-resume for the odd ones, then merge again.',
      };
    case 'ShardEntryMissing':
      return {
        message: `The cache entry of the prompt ${JSON.stringify(error.prompt)} (shard ${error.shard}) is missing or damaged in ${error.dir}.`,
        hint: `Run shard ${error.shard} again into that folder (it computes only what is missing), then merge again.`,
      };
  }
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function more(items: readonly string[]): string {
  return items.length > SHOWN ? `${items.slice(0, SHOWN).join('; ')}; and ${items.length - SHOWN} more` : items.join('; ');
}
