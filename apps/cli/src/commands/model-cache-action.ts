import * as E from 'fp-ts/lib/Either.js';
import { describeModelCacheProblem, listModelCache, planModelCacheRemoval, removeFromModelCache, type ModelCacheListing, type ModelCacheRemovalPlan } from '@moral-plantain/model-builder';
import { byteSize } from '../byte-size.js';
import { CliError } from '../cli-error.js';
import { print, printJson, printSummary } from '../print.js';
import { textTable } from '../text-table.js';
import type { CacheListFlags, CacheRemoveFlags } from './model-cache.js';
import { entryRow, incompleteRow, incompleteText, optionsText, SHOWN_KEY, sourceText } from './model-cache-text.js';

/** Runs `model cache list`: the cache folder, a table of the entries, the incomplete folders, the total size. */
export async function cacheListAction(flags: CacheListFlags): Promise<void> {
  const listing = await readListing();
  if (flags.json) return printJson(listing);
  const incomplete = [...listing.builds, ...listing.leftovers];
  if (listing.entries.length === 0 && incomplete.length === 0) return printSummary(`model cache ${listing.modelsDir}: ${listing.exists ? 'empty' : 'absent (nothing built yet)'}\n`, flags);
  printSummary(`model cache ${listing.modelsDir}\n`, flags);
  if (listing.entries.length > 0) print(textTable(['KEY', 'SOURCE', 'OPTIONS', 'SIZE', 'BUILT', 'LAST USED'], listing.entries.map(entryRow)));
  if (incomplete.length > 0) {
    printSummary(`${listing.entries.length > 0 ? '\n' : ''}not entries (no run uses them; \`model cache remove --incomplete\` removes those whose process is gone):\n`, flags);
    print(textTable(['KEY', 'WHAT', 'SIZE', 'FOLDER'], incomplete.map(incompleteRow)));
  }
  const entriesBytes = listing.entries.reduce((sum, e) => sum + e.bytes, 0);
  const count = `${listing.entries.length} ${listing.entries.length === 1 ? 'entry' : 'entries'}`;
  printSummary(`\n${count}, ${byteSize(entriesBytes)}${incomplete.length > 0 ? `; folders that are not entries: ${byteSize(listing.bytes - entriesBytes)}` : ''}\n`, flags);
}

/** Runs `model cache remove`: what the targets and options choose, removed (or, with --dry-run, only said), and the bytes freed. */
export async function cacheRemoveAction(targets: readonly string[], flags: CacheRemoveFlags): Promise<void> {
  const olderThanDays = flags.olderThan === undefined ? undefined : daysFlag(flags.olderThan);
  const listing = await readListing();
  const target = { quiet: flags.quiet, stdoutCarriesData: flags.json === true };
  const plan = planModelCacheRemoval(listing, {
    targets,
    ...(olderThanDays !== undefined ? { olderThanDays } : {}),
    ...(flags.all ? { all: true } : {}),
    ...(flags.incomplete ? { incomplete: true } : {}),
  });
  const empty = listing.entries.length === 0 && listing.builds.length === 0 && listing.leftovers.length === 0;
  // In an empty cache, naming what is not there is no error: there is nothing to remove.
  if (empty && (E.isRight(plan) || plan.left.every((p) => p._tag === 'UnknownCacheTarget'))) {
    if (flags.json) printJson({ cacheDir: listing.cacheDir, modelsDir: listing.modelsDir, dryRun: flags.dryRun === true, entries: [], builds: [], leftovers: [], bytes: 0, refused: [], liveBuilds: [] });
    return printSummary(`model cache ${listing.modelsDir}: ${listing.exists ? 'empty' : 'absent'}, nothing to remove\n`, target);
  }
  if (E.isLeft(plan)) throw CliError.from(plan.left.map(describeModelCacheProblem));
  let result: ModelCacheRemovalPlan = plan.right;
  if (!flags.dryRun) {
    const removed = await removeFromModelCache(plan.right);
    if (E.isLeft(removed)) throw CliError.from(describeModelCacheProblem(removed.left));
    result = { ...plan.right, ...removed.right };
  }
  if (flags.json) printJson({ cacheDir: listing.cacheDir, dryRun: flags.dryRun === true, ...result });
  printSummary(removalText(result, flags.dryRun === true), target);
  if (!flags.dryRun && result.refused.length > 0) {
    throw new CliError(
      `Left ${result.refused.length === 1 ? 'an entry' : `${result.refused.length} entries`} alone: a build of ${result.refused.map((e) => e.key.slice(0, SHOWN_KEY)).join(', ')} is running.`,
      'Remove it again once the build has finished (`moral-plantain model cache` shows the builds in progress).',
    );
  }
}

function removalText(result: ModelCacheRemovalPlan, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = [
    `model cache ${result.modelsDir}`,
    ...result.entries.map((e) => `${verb} ${e.key.slice(0, SHOWN_KEY)}  ${sourceText(e)}  ${optionsText(e)}  ${byteSize(e.bytes)}`),
    ...[...result.builds, ...result.leftovers].map((f) => `${verb} ${f.key.slice(0, SHOWN_KEY)}  ${incompleteText(f)}  ${byteSize(f.bytes)}`),
    ...result.refused.map((e) => `left alone ${e.key.slice(0, SHOWN_KEY)}  ${sourceText(e)}: a build of the same key is running`),
    ...result.liveBuilds.map((b) => `left alone ${b.key.slice(0, SHOWN_KEY)}  ${incompleteText(b)}`),
  ];
  const nothing = result.entries.length + result.builds.length + result.leftovers.length === 0;
  lines.push(nothing ? 'nothing to remove' : `${dryRun ? 'would free' : 'freed'} ${byteSize(result.bytes)} (${result.bytes} bytes)`);
  return `${lines.join('\n')}\n`;
}

async function readListing(): Promise<ModelCacheListing> {
  const listing = await listModelCache();
  if (E.isLeft(listing)) throw CliError.from(describeModelCacheProblem(listing.left));
  return listing.right;
}

/** `--older-than`: a number of days, fractions allowed. */
function daysFlag(raw: string): number {
  const days = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(days) || days < 0) throw new CliError(`--older-than ${raw} is not a number of days.`, 'Give a number of days of at least 0, e.g. --older-than 30.');
  return days;
}
