import { median } from './quantile.js';
import type { GroupSummary } from './results.js';

/** Label used when no groups are given. */
export const DEFAULT_GROUP = 'all';

/** Per-group max |t|, count of |t| > 3 and median |d|, groups in order of first appearance. */
export function summarizeGroups(
  t: Float64Array,
  d: Float64Array,
  groups: readonly string[] | undefined,
): GroupSummary[] {
  const members = new Map<string, number[]>();
  for (let u = 0; u < t.length; u++) {
    const name = groups?.[u] ?? DEFAULT_GROUP;
    const list = members.get(name);
    if (list) list.push(u);
    else members.set(name, [u]);
  }
  return [...members].map(([name, units]) => {
    let maxAbsT: number | null = null;
    let countAbsTOver3 = 0;
    const absD: number[] = [];
    for (const u of units) {
      const at = Math.abs(t[u]);
      if (Number.isNaN(at)) continue;
      if (maxAbsT === null || at > maxAbsT) maxAbsT = at;
      if (at > 3) countAbsTOver3++;
      absD.push(Math.abs(d[u]));
    }
    return { name, units: units.length, maxAbsT, countAbsTOver3, medianAbsD: absD.length > 0 ? median(absD) : null };
  });
}
