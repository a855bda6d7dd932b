/**
 * Report rendering at the size of the real probe: 25 pairs, 16,320 units in 5 joint blocks of 192
 * and 20 single blocks of 768. Prints the wall and CPU time of each part (medians of several runs;
 * CPU time is the steadier figure on a shared machine), the size of each output and the peak
 * resident memory.
 *
 * Run from the repository root:
 *   node --conditions=@moral-plantain/source --import tsx tools/bench/report-render.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GroupSummary, ProbeResults } from '@moral-plantain/stats';
import { figureSpecs, renderModelCard, renderSvg, renderUnitCsv, writeReport } from '@moral-plantain/report';

const RUNS = 5;

const results = syntheticResults(25, [...Array(5).fill(192), ...Array(20).fill(768)] as number[]);
// What a run passes: 1,000 null counts per threshold, 100 split r and their chance r, the t of every
// unit under 16 sign flips (the paired test's sample at 16,320 units) and 1,000 null max |t|.
const distributions = {
  thresholdCounts: results.thresholds.map(() => nullCounts(1000)),
  splitHalfR: Array.from({ length: 100 }, (_, i) => 0.5 + 0.001 * i),
  splitHalfNullR: Array.from({ length: 100 }, (_, i) => -0.05 + 0.001 * i),
  nullT: nullTSample(16 * results.nUnits),
  nullTFlips: 16,
  nullMaxT: Array.from({ length: 1000 }, (_, i) => 4.2 + (i % 97) / 60),
};
const figures = figureSpecs(results, distributions);

const rows: [string, Timing, number][] = [];
rows.push(['README.md (model card)', await medianMs(() => renderModelCard({ results })), bytes(renderModelCard({ results }))]);
rows.push(['unit-statistics.csv', await medianMs(() => renderUnitCsv(results)), bytes(renderUnitCsv(results))]);
for (const figure of figures) {
  const svg = await renderSvg(figure.path, figure.spec)();
  if (svg._tag === 'Left') throw new Error(JSON.stringify(svg.left));
  rows.push([figure.path, await medianMs(() => renderSvg(figure.path, figure.spec)()), bytes(svg.right)]);
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-report-'));
rows.push(['writeReport (all files, atomic)', await medianMs(() => writeReport(dir, { results, distributions })()), 0]);
await rm(dir, { recursive: true, force: true });

console.log(`report rendering, ${results.nUnits.toLocaleString('en-US')} units x ${results.nPairs} pairs, median of ${RUNS} runs (node ${process.version})`);
for (const [name, { wall, cpu }, size] of rows) {
  console.log(`${name.padEnd(34)} ${wall.toFixed(1).padStart(8)} ms ${cpu.toFixed(1).padStart(8)} ms cpu${size > 0 ? `  ${(size / 1024).toFixed(0).padStart(6)} KiB` : ''}`);
}
console.log(`peak resident memory of the whole benchmark: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

/** Median wall time and median CPU time (user + system, this process) of `work`, in ms. */
async function medianMs(work: () => unknown): Promise<Timing> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const used = process.cpuUsage();
    await work();
    const spent = process.cpuUsage(used);
    wall.push(performance.now() - start);
    cpu.push((spent.user + spent.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? Number.NaN;
  return { wall: median(wall), cpu: median(cpu) };
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Deterministic results@1 with heavy tails, so every figure and table has content. */
function syntheticResults(nPairs: number, blockUnits: readonly number[]): ProbeResults {
  const nUnits = blockUnits.reduce((s, n) => s + n, 0);
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const t = Array.from({ length: nUnits }, () => normal() * (uniform() < 0.2 ? 3 : 1));
  const d = t.map((x) => x / Math.sqrt(nPairs));
  const count = (pred: (x: number) => boolean, xs: number[]) => xs.filter(pred).length;
  const threshold = (stat: 't' | 'd', value: number, xs: number[]) => {
    const observed = count((x) => Math.abs(x) > value, xs);
    const nullP99 = Math.max(1, Math.round(observed / 6));
    return { stat, value, observed, fraction: observed / nUnits, nullP95: nullP99 - 1, nullP99, ratioToNullP99: observed / nullP99, p: 0.001 };
  };
  let offset = 0;
  const groups = blockUnits.map((units, i): GroupSummary => {
    const slice = t.slice(offset, offset + units).map(Math.abs);
    offset += units;
    const sorted = [...slice].sort((a, b) => a - b);
    return {
      name: i < 5 ? `joint[${i}]` : `single[${i - 5}]`,
      units,
      maxAbsT: sorted[units - 1] ?? null,
      countAbsTOver3: count((x) => x > 3, slice),
      medianAbsD: ((sorted[units / 2] ?? 0) + (sorted[units / 2 - 1] ?? 0)) / 2 / Math.sqrt(nPairs),
    };
  });
  return {
    format: 'moral-plantain/results@1',
    nPairs,
    nUnits,
    zeroVarianceUnits: 0,
    permutation: { count: 1000, exact: false, seed: 1, tail: 'two-sided', prng: 'lcg' },
    units: {
      t,
      d,
      meanDiff: d.map((x) => x * 0.1),
      sdDiff: d.map(() => 0.1),
      pPermutation: t.map((x) => Math.min(1, 2 * Math.exp(-Math.abs(x)))),
      pFwer: t.map((x) => (Math.abs(x) > 6 ? 0.01 : 1)),
      qFdr: t.map((x) => (Math.abs(x) > 4 ? 0.01 : 0.5)),
    },
    thresholds: [threshold('t', 3, t), threshold('t', 5, t), threshold('d', 0.8, d)],
    maxAbsT: { value: Math.max(...t.map(Math.abs)), unit: 0, group: 'joint[0]' },
    splitHalf: { splits: 100, median: 0.57, q1: 0.55, q3: 0.6, spearmanBrownMedian: 0.73, nullMedian: 0 },
    groups,
  };
}

function nullTSample(n: number): Float64Array {
  let state = 777;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

function nullCounts(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 400 + (i % 37));
}
