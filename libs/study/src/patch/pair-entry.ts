import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, jsonFileText, sha256, writeFileAtomic } from '@moral-plantain/formats';

/** Identifier of a pair's cache entry. */
export const PAIR_ENTRY_FORMAT = 'moral-plantain/patch-pair@1';

/** What patching one pair measured: everything the statistics need, so a rerun recomputes nothing. */
export interface PairEntry {
  readonly format: typeof PAIR_ENTRY_FORMAT;
  readonly pair: string;
  /** The device the transformer ran on. */
  readonly device: string;
  /** |B - A| of the unpatched predictions. */
  readonly distance: number;
  /** The largest relative difference between the unpatched runs' unit RMS and the run's activations, and its unit. */
  readonly reproduced: { readonly deviation: number; readonly unit: number };
  /** Per planned effect: per set (the chosen one first, then each random set), per direction (a to b, b to a). */
  readonly effects: readonly {
    /** The fraction of the change reproduced, [(sets + 1) x 2]. */
    readonly fraction: readonly number[];
    /** |P - base| / |target - base|, [(sets + 1) x 2]. */
    readonly change: readonly number[];
    /** For mode match: |achieved RMS / target - 1| of the chosen set's units, [units x 2]; else null. */
    readonly rmsDeviation: readonly number[] | null;
  }[];
}

/** The cache key of a pair: the plan, the pair, its prompts' probe keys (model, text, seed, resolution, units) and the unpatched values its factors come from. */
export function pairKey(parts: { readonly plan: string; readonly pair: string; readonly prompts: readonly string[]; readonly a: ArrayLike<number>; readonly b: ArrayLike<number> }): string {
  return sha256(canonicalJson({ format: PAIR_ENTRY_FORMAT, plan: parts.plan, pair: parts.pair, prompts: parts.prompts, a: Array.from(parts.a), b: Array.from(parts.b) }));
}

/** Where a pair's entry lives in the cache folder. */
export function pairEntryPath(dir: string, key: string): string {
  return path.join(dir, `${key}.json`);
}

/** The cached entry of a pair, or null when there is none or it does not fit the plan (`effects` entries of `width` = (sets + 1) x 2). */
export async function readPairEntry(dir: string, key: string, effects: number, width: number): Promise<PairEntry | null> {
  try {
    const entry = JSON.parse(await readFile(pairEntryPath(dir, key), 'utf8')) as PairEntry;
    const fits =
      entry.format === PAIR_ENTRY_FORMAT &&
      typeof entry.distance === 'number' &&
      Array.isArray(entry.effects) &&
      entry.effects.length === effects &&
      entry.effects.every((e) => e.fraction.length === width && e.change.length === width && [...e.fraction, ...e.change].every(Number.isFinite));
    return fits ? entry : null;
  } catch {
    return null;
  }
}

/** Writes a pair's entry atomically and durably: a kill leaves the old entry, the new one, or none. */
export async function writePairEntry(dir: string, key: string, entry: PairEntry): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(pairEntryPath(dir, key), jsonFileText(entry));
}
