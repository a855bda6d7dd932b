import path from 'node:path';
import type { ModelCacheBuild, ModelCacheEntry, ModelCacheLeftover } from '@moral-plantain/model-builder';
import { byteSize } from '../byte-size.js';
import { shownPath } from '../print.js';

/** How many characters of a key the tables show (more than the 8 a prefix needs). */
export const SHOWN_KEY = 12;

/** A table row of an entry: key prefix, source, options, size, built, last used. */
export function entryRow(entry: ModelCacheEntry): string[] {
  return [entry.key.slice(0, SHOWN_KEY), sourceText(entry), optionsText(entry), byteSize(entry.bytes), timeText(entry.builtAt), timeText(entry.lastUsedAt)];
}

/** A table row of a build's folders or a leftover: key prefix, what it is, size, folder names (in the cache's `models/`). */
export function incompleteRow(folder: ModelCacheBuild | ModelCacheLeftover): string[] {
  return [folder.key.slice(0, SHOWN_KEY), incompleteText(folder), byteSize(folder.bytes), ('dirs' in folder ? folder.dirs : [folder.dir]).map((d) => path.basename(d)).join(', ')];
}

/** What an entry was built from: `org/name main (commit 0123456789ab)`, the pipeline folder, or `unknown source`. */
export function sourceText(entry: ModelCacheEntry): string {
  const source = entry.record?.source;
  if (source === undefined) return `unknown source${entry.model?.baseModel ? ` (base model ${entry.model.baseModel})` : ''}`;
  if (source.kind === 'folder') return shownPath(source.dir);
  const commit = source.commit.slice(0, 12);
  return source.revision === source.commit ? `${source.repoId} ${commit}` : `${source.repoId} ${source.revision} (${commit})`;
}

/** The build options as built (model.json): `float` or `int8, blocks of 128`, the text layers, no VAE. */
export function optionsText(entry: ModelCacheEntry): string {
  const model = entry.model;
  if (model === null) return 'model.json unreadable';
  const weights = model.weights === 'float' ? 'float' : `${model.weights}, blocks of ${model.blockSize}`;
  return [weights, model.textLayers ? `text layers ${model.textLayers.join(',')}` : 'no text encoder', ...(model.vae ? [] : ['no VAE'])].join(', ');
}

/** What an incomplete folder is, and whether it may be removed. */
export function incompleteText(folder: ModelCacheBuild | ModelCacheLeftover): string {
  if (!('kind' in folder)) {
    const who = `pid ${folder.pid}${folder.state === 'unknown' ? ` on ${folder.host}` : ''}`;
    return folder.state === 'running' ? `build in progress (${who})` : folder.state === 'gone' ? `killed build (${who} gone)` : `build of another machine (${who})`;
  }
  if (folder.kind === 'damaged') return 'no model.json: not an entry';
  return folder.state === 'running' ? 'being removed' : folder.state === 'gone' ? 'interrupted removal' : 'being removed by another machine';
}

/** A moment as `YYYY-MM-DD HH:MM`, local time. */
export function timeText(when: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())} ${two(when.getHours())}:${two(when.getMinutes())}`;
}
