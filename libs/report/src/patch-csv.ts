import type { PatchResults } from '@moral-plantain/stats';
import { csvField } from './unit-csv.js';

/** Name of the per-pair patch effects CSV inside a run folder. */
export const PATCH_CSV_FILE = 'patch-effects.csv';

/** Column order of the patch effects CSV. */
export const PATCH_CSV_COLUMNS = ['k', 'mode', 'factor', 'pair', 'direction', 'fraction', 'fractionNullMean', 'change', 'changeNullMean', 'distance'] as const;

/**
 * The patch's effects as RFC 4180 CSV, one row per unit set, mode, pair and direction: the
 * fraction of the change reproduced, the relative size of the change (|patched - base| / |target -
 * base|), each beside the random sets' mean for that pair and direction, and |target - base|.
 * Numbers keep full precision; an undefined factor is an empty cell.
 */
export function renderPatchCsv(patch: PatchResults): string {
  const lines: string[] = [PATCH_CSV_COLUMNS.join(',')];
  for (const effect of patch.effects) {
    for (const [i, pair] of patch.pairs.entries()) {
      for (const [d, direction] of patch.directions.entries()) {
        lines.push(
          [
            String(effect.k),
            effect.mode,
            effect.factor === null ? '' : String(effect.factor),
            csvField(defuse(pair)),
            direction,
            String(effect.fraction.values[i]?.[d] ?? ''),
            String(effect.fraction.nullMeans[i]?.[d] ?? ''),
            String(effect.change.values[i]?.[d] ?? ''),
            String(effect.change.nullMeans[i]?.[d] ?? ''),
            String(patch.baseline.distances[i] ?? ''),
          ].join(','),
        );
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A pair id a spreadsheet would read as a formula (=, +, -, @ first) gets an apostrophe in front. */
function defuse(text: string): string {
  return /^[=+\-@]/.test(text) ? `'${text}` : text;
}
