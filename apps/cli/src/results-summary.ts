import { formatCount as count } from '@moral-plantain/formats';
import type { ProbeResults } from '@moral-plantain/stats';

/**
 * The results in a few plain lines for a terminal, as `stats` and `run` print them: the design,
 * a warning for degenerate units, each threshold count against its null p99 and its p, the FWER /
 * FDR counts, the max |t| and split-half reliability.
 */
export function summarizeResults(r: ProbeResults): string[] {
  const fixed = (x: number | null, digits: number): string => (x === null ? 'n/a' : x.toFixed(digits));
  const statistic = (x: number): string => (x >= 1e5 ? x.toExponential(1).replace('e+', 'e') : x.toFixed(2));
  const p = r.permutation;
  const lines = [`${r.nPairs} pairs x ${count(r.nUnits)} units; ${count(p.count)} sign flips (${p.exact ? 'all patterns, exact' : `sampled, seed ${p.seed}`}), ${p.tail}`];
  if (r.zeroVarianceUnits > 0) lines.push(`${count(r.zeroVarianceUnits)} units have zero variance: no t or d for them`);
  const nearConstant = new Set(r.nearConstant?.units ?? []);
  if (nearConstant.size > 0) {
    const largest = Math.max(...[...nearConstant].map((u) => Math.abs(r.units.t[u] ?? 0)));
    lines.push(
      r.zeroVarianceUnits + nearConstant.size === r.nUnits
        ? `warning: the data are degenerate: every unit has the same difference in every pair to within rounding (${count(nearConstant.size)} near-constant, |t| up to ${statistic(largest)}); the statistics below measure rounding, not an effect`
        : `warning: ${count(nearConstant.size)} of ${count(r.nUnits)} units are near-constant (the same difference in every pair to within rounding): their t, up to ${statistic(largest)}, measures rounding, not an effect (results.json lists them under nearConstant)`,
    );
  }
  for (const th of r.thresholds) {
    const ratio = th.ratioToNullP99 === null ? 'null p99 is 0' : `${ratioText(th.ratioToNullP99)} null p99 (${count(th.nullP99)})`;
    lines.push(`|${th.stat}| > ${th.value}: ${count(th.observed)} ${th.observed === 1 ? 'unit' : 'units'} (${percentText(th.fraction)}), ${ratio}, p = ${th.p.toPrecision(3)}`);
  }
  const fwer = r.units.pFwer.filter((x) => x !== null && x < 0.05).length;
  const fdr = r.units.qFdr.filter((x) => x !== null && x < 0.05).length;
  lines.push(`units with FWER p < 0.05: ${count(fwer)}; with FDR q < 0.05: ${count(fdr)}`);
  if (r.maxAbsT.value !== null) {
    const near = r.maxAbsT.unit !== null && nearConstant.has(r.maxAbsT.unit) ? ', near-constant' : '';
    lines.push(`max |t|: ${statistic(r.maxAbsT.value)} (unit ${r.maxAbsT.unit}, ${r.maxAbsT.group}${near})`);
  }
  const s = r.splitHalf;
  if (s && s.median !== null) {
    lines.push(`split-half r: median ${fixed(s.median, 3)} [${fixed(s.q1, 2)}, ${fixed(s.q3, 2)}] over ${s.splits} splits; Spearman-Brown ${fixed(s.spearmanBrownMedian, 3)}; null median ${fixed(s.nullMedian, 3)}`);
  }
  return lines;
}

/**
 * observed / p99 as a multiple: whole multiples as they are ("2x"), others to 3 significant digits,
 * or more where 3 would put the ratio on the wrong side of 1 (3999 / 4000 is "0.9998x", not "1.00x").
 */
export function ratioText(ratio: number): string {
  if (Number.isInteger(ratio)) return `${ratio}x`;
  for (let digits = 3; digits < 17; digits++) {
    const text = ratio.toPrecision(digits);
    if (Math.sign(Number(text) - 1) === Math.sign(ratio - 1)) return `${text}x`;
  }
  return `${ratio}x`;
}

/** A share as a percentage that never reads 0 when it is not: "12.5%", "0.018%", "0%". */
export function percentText(share: number): string {
  const percent = share * 100;
  if (percent === 0) return '0%';
  return percent >= 1 ? `${percent.toFixed(1)}%` : `${percent.toPrecision(2)}%`;
}
