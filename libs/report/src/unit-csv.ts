import type { ProbeResults } from '@moral-plantain/stats';

/**
 * Column order of the per-unit CSV: the statistics, then (added after the first eight, so readers
 * by position keep working) the sd of the differences and where the unit comes from.
 */
export const UNIT_CSV_COLUMNS = ['unit', 'group', 't', 'd', 'meanDiff', 'pPermutation', 'pFwer', 'qFdr', 'sdDiff', 'module', 'block', 'indexInBlock', 'channelStart', 'channelEnd'] as const;

/**
 * Per-unit statistics as RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, quote
 * or line break). Undefined statistics are empty cells; numbers keep full precision. Group labels
 * come from `results.groups` in order (groups are contiguous runs of units); a label that a
 * spreadsheet would read as a formula (=, +, -, @ first) is prefixed with an apostrophe. The
 * module, block and channel columns are empty when the results do not say where units come from.
 */
export function renderUnitCsv(results: ProbeResults): string {
  const labels = groupLabels(results);
  const { t, d, meanDiff, sdDiff, pPermutation, pFwer, qFdr, module, block, indexInBlock, channelStart, channelEnd } = results.units;
  const lines: string[] = [UNIT_CSV_COLUMNS.join(',')];
  for (let i = 0; i < results.nUnits; i++) {
    lines.push(
      [
        String(i),
        textField(labels[i]),
        numberField(t[i]),
        numberField(d[i]),
        numberField(meanDiff[i]),
        numberField(pPermutation[i]),
        numberField(pFwer[i]),
        numberField(qFdr[i]),
        numberField(sdDiff[i]),
        textField(module?.[i]),
        textField(block?.[i]),
        numberField(indexInBlock?.[i]),
        numberField(channelStart?.[i]),
        numberField(channelEnd?.[i]),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Quotes one CSV field as RFC 4180 requires (doubling inner quotes). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The group label of every unit, from the contiguous runs in `results.groups` ("" beyond them). */
export function groupLabels(results: ProbeResults): readonly string[] {
  const labels = new Array<string>(results.nUnits).fill('');
  let offset = 0;
  for (const group of results.groups) {
    labels.fill(group.name, offset, Math.min(results.nUnits, offset + group.units));
    offset += group.units;
  }
  return labels;
}

function textField(value: string | undefined): string {
  return csvField(defuseFormula(value ?? ''));
}

function numberField(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
}

function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
