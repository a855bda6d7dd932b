import type { Command } from 'commander';
import { isQuiet } from '../global-flags.js';
import { withExamples } from '../help-text.js';

/** The flags of `model cache list`. */
export interface CacheListFlags {
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** The flags of `model cache remove`. */
export interface CacheRemoveFlags {
  readonly olderThan?: string;
  readonly all?: boolean;
  readonly incomplete?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly quiet: boolean;
}

/** Registers `model cache` (`model cache list`) and `model cache remove` under `model`. */
export function registerModelCacheCommand(model: Command): void {
  const action = async () => import('./model-cache-action.js');
  const cache = model
    .command('cache')
    .description('see and clean the model cache: the ONNX folders `run --model <pipeline folder | repo id>` builds once ($MORAL_PLANTAIN_CACHE/models)')
    .addHelpText('after', '\n`moral-plantain model cache` is `model cache list`.');
  withExamples(cache, [
    ['what the cache holds: each entry, what it was built from, its size and when it was last used', 'moral-plantain model cache'],
    ['free the space of the entries no run has used for 30 days', 'moral-plantain model cache remove --older-than 30'],
  ]);
  const list = cache
    .command('list', { isDefault: true })
    .description('list the entries (key, source, build options, size, when built and last used), the folders of builds in progress or killed, and the total size')
    .option('--json', 'machine-readable output')
    .action(async (options: Omit<CacheListFlags, 'quiet'>, command: Command) => (await action()).cacheListAction({ ...options, quiet: isQuiet(command) }));
  withExamples(list, [
    ['the entries, most recently used first, and the cache folder', 'moral-plantain model cache'],
    ['the keys and sizes of the entries built from one repo, as JSON', "moral-plantain model cache list --json | jq '.entries[] | select(.record.source.repoId == \"black-forest-labs/FLUX.2-klein-base-4B\") | {key, bytes}'"],
  ]);
  const remove = cache
    .command('remove')
    .description('remove entries (renamed aside first, so a kill never leaves a half-deleted entry that is trusted) and say how many bytes that freed; a running build and the entry it writes are left alone')
    .argument('[targets...]', 'entry keys or key prefixes (at least 8 characters, as `model cache` lists them), Hugging Face repo ids (every entry built from one), or pipeline folders (every entry built from one)')
    .option('--older-than <days>', 'only entries no run has used for more than this many days; alone, every such entry')
    .option('--incomplete', 'the folders of killed builds (their process gone) and entries without model.json')
    .option('--all', 'every entry and every folder of a killed build')
    .option('--dry-run', 'say what would be removed and how many bytes that would free; remove nothing')
    .option('--json', 'machine-readable output')
    .action(async (targets: string[], options: Omit<CacheRemoveFlags, 'quiet'>, command: Command) => (await action()).cacheRemoveAction(targets, { ...options, quiet: isQuiet(command) }));
  withExamples(remove, [
    ['every entry built from a repo (its float, int8 and int4 builds, every snapshot)', 'moral-plantain model cache remove black-forest-labs/FLUX.2-klein-base-4B'],
    ['one entry by the key prefix `model cache` shows', 'moral-plantain model cache remove 3f2a9c81d0e4'],
    ['what removing the entries unused for 30 days would free, without removing them', 'moral-plantain model cache remove --older-than 30 --dry-run'],
    ['what killed builds left', 'moral-plantain model cache remove --incomplete'],
  ]);
}
