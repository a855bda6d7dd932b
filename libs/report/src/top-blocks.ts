import type { GroupSummary, ProbeResults } from '@moral-plantain/stats';
import { degenerateUnits } from './degenerate-units.js';
import { escapeInline, tableRow } from './markdown-text.js';
import { formatCount, formatStatistic } from './number-format.js';
import { groupLabels } from './unit-csv.js';

/** The `count` groups with the largest max |t|, largest first; groups without a defined t come last, ties keep file order. */
export function topBlocks(results: ProbeResults, count = 5): readonly GroupSummary[] {
  const ranked = results.groups
    .map((group, index) => ({ group, index }))
    .sort((x, y) => rankValue(y.group) - rankValue(x.group) || x.index - y.index);
  return ranked.slice(0, Math.max(0, count)).map((entry) => entry.group);
}

/**
 * The published one-line list: "Top blocks by max |t|: single[19] 10.05 (132/768 over 3,
 * median |d| 0.16); joint[3] 8.98 (38/192, 0.38); ..." — the first entry spells out its fields,
 * the rest are abbreviated. Default 5 blocks.
 */
export function renderTopBlocksLine(results: ProbeResults, count = 5): string {
  const entries = topBlocks(results, count).map((group, i) => {
    const name = escapeInline(group.name);
    const over = `${formatCount(group.countAbsTOver3)}/${formatCount(group.units)}`;
    const d = formatStatistic(group.medianAbsD);
    return i === 0
      ? `${name} ${formatStatistic(group.maxAbsT)} (${over} over 3, median |d| ${d})`
      : `${name} ${formatStatistic(group.maxAbsT)} (${over}, ${d})`;
  });
  if (entries.length === 0) return 'Top blocks by max |t|: none (no groups in the results).';
  return `Top blocks by max |t|: ${entries.join('; ')}.`;
}

/**
 * The top blocks as a Markdown table: rank, block, max |t|, units over |t| > 3, median |d|; when
 * the results have near-constant units, a last column counts them per block. Default 5 blocks.
 */
export function renderTopBlocksTable(results: ProbeResults, count = 5): readonly string[] {
  const nearConstant = nearConstantByGroup(results);
  return [
    tableRow(['rank', 'block', 'max \\|t\\|', 'units with \\|t\\| > 3', 'median \\|d\\|', ...(nearConstant ? ['near-constant units'] : [])]),
    nearConstant ? '|---:|---|---:|---:|---:|---:|' : '|---:|---|---:|---:|---:|',
    ...topBlocks(results, count).map((group, i) =>
      tableRow([
        String(i + 1),
        escapeInline(group.name),
        formatStatistic(group.maxAbsT),
        `${formatCount(group.countAbsTOver3)}/${formatCount(group.units)}`,
        formatStatistic(group.medianAbsD),
        ...(nearConstant ? [formatCount(nearConstant.get(group.name) ?? 0)] : []),
      ]),
    ),
  ];
}

/** Near-constant units per group name, or null when the results have none. */
function nearConstantByGroup(results: ProbeResults): Map<string, number> | null {
  const { nearConstant } = degenerateUnits(results);
  if (nearConstant.length === 0) return null;
  const labels = groupLabels(results);
  const counts = new Map<string, number>();
  for (const u of nearConstant) counts.set(labels[u] ?? '', (counts.get(labels[u] ?? '') ?? 0) + 1);
  return counts;
}

function rankValue(group: GroupSummary): number {
  return group.maxAbsT === null || !Number.isFinite(group.maxAbsT) ? -Infinity : group.maxAbsT;
}
