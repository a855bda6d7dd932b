import path from 'node:path';
import { Option, type Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { writeFileAtomic } from '@moral-plantain/hooks';
import { formatActivationsError, readActivations } from '@moral-plantain/model-runtime';
import { formatStatsError, pairedTest, type ProbeResults, type Tail } from '@moral-plantain/stats';
import { CliError } from '../cli-error.js';
import { parseIntegerOption } from '../parse-number.js';

interface StatsOptions {
  readonly permutations: string;
  readonly seed: string;
  readonly tail: Tail;
  readonly splits: string;
  readonly workers?: string;
  readonly out: string;
  readonly json?: boolean;
}

/** Registers `stats <activations.safetensors>`: the statistics of a paired probe, written as results.json. */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('paired statistics of an activations file (tensors a and b, [pairs x units]) into results.json')
    .argument('<activations>', 'a safetensors file with float32 or float64 tensors "a" and "b" of shape [pairs, units]')
    .option('--permutations <n>', 'random sign flips (all 2^pairs are enumerated when that is no more)', '1000')
    .option('--seed <s>', 'seed of the sign flips and split-half splits', '0')
    .addOption(new Option('--tail <tail>', 'direction of the test').choices(['two-sided', 'greater', 'less']).default('two-sided'))
    .option('--splits <k>', 'random half splits for split-half reliability (0 skips it)', '100')
    .option('--workers <n>', 'worker threads for the sign-flip scan (default: available cores, at most 8)')
    .option('--out <file>', 'where to write the results', 'results.json')
    .option('--json', 'print the results JSON instead of a summary')
    .action(async (file: string, options: StatsOptions) => {
      const permutations = parseIntegerOption('--permutations', options.permutations, 1, 100_000_000);
      const seed = parseIntegerOption('--seed', options.seed, 0, 0xffffffff);
      const splits = parseIntegerOption('--splits', options.splits, 0, 1_000_000);
      const workers = options.workers === undefined ? undefined : parseIntegerOption('--workers', options.workers, 1, 256);
      const activations = await readActivations(file)();
      if (E.isLeft(activations)) {
        throw new CliError(`${file}: ${formatActivationsError(activations.left)}`, 'an activations file holds float tensors "a" and "b" of shape [pairs, units] (see `moral-plantain run`)');
      }
      const { a, b, nPairs, nUnits, groups } = activations.right;
      const shape = [nPairs, nUnits];
      const out = await pairedTest(
        { a: { data: a, shape }, b: { data: b, shape } },
        { permutations, seed, tail: options.tail, splits, groups: groups ?? undefined, workers },
      )();
      if (E.isLeft(out)) {
        throw new CliError(`${file}: ${out.left.map(formatStatsError).join('; ')}`, 'fix the activations or the options and run again');
      }
      const target = path.resolve(options.out);
      const json = `${JSON.stringify(out.right.results, null, 2)}\n`;
      await writeFileAtomic(target, json);
      process.stdout.write(options.json ? json : `${summary(out.right.results)}\nwrote ${path.relative(process.cwd(), target) || target}\n`);
    });
}

const count = (x: number): string => x.toLocaleString('en-US');
const fixed = (x: number | null, digits: number): string => (x === null ? 'n/a' : x.toFixed(digits));

/** A few readable lines about the results. */
function summary(r: ProbeResults): string {
  const p = r.permutation;
  const lines = [
    `${r.nPairs} pairs x ${count(r.nUnits)} units; ${count(p.count)} sign flips (${p.exact ? 'all patterns, exact' : `sampled, seed ${p.seed}`}), ${p.tail}`,
  ];
  if (r.zeroVarianceUnits > 0) lines.push(`${count(r.zeroVarianceUnits)} units have zero variance: no t or d for them`);
  for (const th of r.thresholds) {
    const ratio = th.ratioToNullP99 === null ? 'null p99 is 0' : `${th.ratioToNullP99.toFixed(1)}x null p99 (${fixed(th.nullP99, 1)})`;
    lines.push(`|${th.stat}| > ${th.value}: ${count(th.observed)} units (${(th.fraction * 100).toFixed(1)}%), ${ratio}, p = ${th.p.toPrecision(3)}`);
  }
  const fwer = r.units.pFwer.filter((x) => x !== null && x < 0.05).length;
  const fdr = r.units.qFdr.filter((x) => x !== null && x < 0.05).length;
  lines.push(`units with FWER p < 0.05: ${count(fwer)}; with FDR q < 0.05: ${count(fdr)}`);
  if (r.maxAbsT.value !== null) lines.push(`max |t|: ${r.maxAbsT.value.toFixed(2)} (unit ${r.maxAbsT.unit}, ${r.maxAbsT.group})`);
  const s = r.splitHalf;
  if (s && s.median !== null) {
    lines.push(`split-half r: median ${fixed(s.median, 3)} [${fixed(s.q1, 2)}, ${fixed(s.q3, 2)}] over ${s.splits} splits; Spearman-Brown ${fixed(s.spearmanBrownMedian, 3)}; null median ${fixed(s.nullMedian, 3)}`);
  }
  return lines.join('\n');
}
