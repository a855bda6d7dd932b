// Benchmark of the stats engine at the probe's size: 16,320 units x 25 pairs x 10,000 sign flips,
// with the |t| > 3 and |t| > 5 counts, the max-|t| null and per-unit p-values. Prints wall time
// and peak memory. Run: npm run bench:stats  (or node --conditions=@moral-plantain/source --import tsx tools/bench/stats-permutation.ts)
import { availableParallelism } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import { createPrng } from '@moral-plantain/formats';
import { pairedTest, pairedTestSync, type PairedTestOptions } from '@moral-plantain/stats';

const nPairs = 25;
const nUnits = 16_320;
const permutations = 10_000;

/** Normal-ish data with a small effect in every 10th unit. */
function makeData(): { a: Float32Array; b: Float32Array } {
  const prng = createPrng(42);
  const uniform = () => (prng.nextUint32() + 1) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const a = new Float32Array(nPairs * nUnits);
  const b = new Float32Array(nPairs * nUnits);
  for (let i = 0; i < a.length; i++) {
    const base = 1 + 0.2 * normal();
    a[i] = base + 0.05 * normal() + ((i % nUnits) % 10 === 0 ? 0.04 : 0);
    b[i] = base + 0.05 * normal();
  }
  return { a, b };
}

const { a, b } = makeData();
const input = { a: { data: a, shape: [nPairs, nUnits] }, b: { data: b, shape: [nPairs, nUnits] } };
const base: PairedTestOptions = {
  permutations,
  exact: false,
  splits: 0,
  thresholds: [
    { stat: 't', value: 3 },
    { stat: 't', value: 5 },
  ],
};

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const rssBefore = process.memoryUsage().rss;
process.stdout.write(`stats benchmark: ${nUnits} units x ${nPairs} pairs x ${permutations} sign flips (${availableParallelism()} cores)\n`);

for (const [label, run] of [
  ['in this thread', async () => pairedTestSync(input, base)],
  [`worker threads (${Math.min(8, availableParallelism())})`, async () => pairedTest(input, base)()],
  ['worker threads, greater tail', async () => pairedTest(input, { ...base, tail: 'greater' })()],
  ['worker threads, defaults + |d| > 0.8 + 100 splits', async () => pairedTest(input, { permutations, exact: false })()],
] as const) {
  const times: number[] = [];
  let summary = '';
  for (let rep = 0; rep < 3; rep++) {
    const start = performance.now();
    const out = await run();
    times.push(performance.now() - start);
    if (E.isLeft(out)) throw new Error('benchmark input rejected');
    const r = out.right.results;
    summary = `|t|>3: ${r.thresholds[0]!.observed} (null p99 ${r.thresholds[0]!.nullP99}), max |t| ${r.maxAbsT.value!.toFixed(2)}`;
  }
  const best = Math.min(...times);
  const median = times.sort((x, y) => x - y)[1]!;
  process.stdout.write(`${label}: best ${(best / 1000).toFixed(3)} s, median ${(median / 1000).toFixed(3)} s  [${summary}]\n`);
}
const usage = process.resourceUsage();
process.stdout.write(`peak RSS ${mib(usage.maxRSS * 1024)} MiB (process start ${mib(rssBefore)} MiB; input data ${mib(a.byteLength * 2)} MiB)\n`);
