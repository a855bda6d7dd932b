import path from 'node:path';
import { PATCH_CSV_FILE, PATCH_FIGURE_FILE } from '@moral-plantain/report';
import type { RunFolder } from '../run-folder.js';

/** Name of the causal test's results inside a run folder. */
export const PATCH_JSON_FILE = 'patch.json';

/** Title (alt text) of the dose-response figure in the card. */
export const PATCH_FIGURE_TITLE = 'Fraction of the a-to-b change reproduced against the number of units patched, with the random-set null';

/** The files a causal test adds to a run folder, relative to it, and its per-pair cache. */
export interface PatchFiles {
  readonly json: string;
  readonly csv: string;
  readonly figure: string;
  readonly readme: string;
  /** Per-pair entries (`<key>.json`) a rerun reuses. */
  readonly cache: string;
}

/** Where a causal test writes in a run folder. */
export function patchFiles(folder: RunFolder): PatchFiles {
  return { json: PATCH_JSON_FILE, csv: PATCH_CSV_FILE, figure: PATCH_FIGURE_FILE, readme: 'README.md', cache: path.join(folder.dir, '.cache', 'patch') };
}
