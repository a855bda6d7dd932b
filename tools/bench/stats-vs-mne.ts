/**
 * Our stats command against MNE-Python's permutation_t_test, on one dataset: 16,320 units x 25
 * pairs with planted effects (deterministic, `createPrng`), written once as an activations file
 * (float32 a and b) and once as the float64 differences a - b in a .npy file. Side by side:
 * (i) the whole process `node apps/cli/bin/moral-plantain.js stats FILE --permutations 10000
 * --splits 0 --out TMP/results.json` (wall time: start-up, reading, the test, writing), with its
 * default workers and with --workers 1; (ii) MNE's permutation_t_test(X, 10000, tail=0, n_jobs=1)
 * on the differences in /usr/bin/python3, timed by Python around the call alone
 * (tools/bench/mne-permutation-t-test-file.py; its first call also pays for first touching the
 * ~5 GB MNE allocates, so its runs are listed in order). Prints min / median / max of each and the
 * ratio MNE compute / our whole process (goal: at least 10x). Needs the built CLI (npx nx run cli:build)
 * and python3-mne. RUNS (default 5) and MNE_RUNS (default 3) set the run counts; PYTHON the
 * interpreter. Run from the repository root:
 * node --conditions=@moral-plantain/source --import tsx tools/bench/stats-vs-mne.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { writeActivations } from '@moral-plantain/formats';
import type { ProbeResults } from '@moral-plantain/stats';
import { builtCli, REPO_ROOT } from './support/built-cli.js';
import { encodeNpyFloat64 } from './support/npy.js';
import { plantedDataset } from './support/planted-dataset.js';
import { formatSummary, summarize } from './support/summary.js';
import { timeNode } from './support/timed-process.js';

const N_PAIRS = 25;
const N_UNITS = 16_320;
const PERMUTATIONS = 10_000;
const GOAL_RATIO = 10;
const runs = Number(process.env['RUNS'] ?? 5);
const mneRuns = Number(process.env['MNE_RUNS'] ?? 3);
const python = process.env['PYTHON'] ?? '/usr/bin/python3';
const MNE_SCRIPT = path.join(REPO_ROOT, 'tools/bench/mne-permutation-t-test-file.py');

/** What mne-permutation-t-test-file.py prints. */
interface MneReport {
  readonly python: string;
  readonly numpy: string;
  readonly mne: string;
  readonly lenH0: number;
  readonly seconds: readonly number[];
  readonly peakRssMiB: number;
  readonly maxAbsT: number;
  readonly maxAbsTUnit: number;
  readonly unitsBelow05: number;
}

function runMne(npy: string): MneReport {
  const child = spawnSync(python, [MNE_SCRIPT, npy, '--runs', String(mneRuns), '--permutations', String(PERMUTATIONS)], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${python} ${path.relative(REPO_ROOT, MNE_SCRIPT)} failed (${child.status ?? child.signal}):\n${child.stderr}`);
  return JSON.parse(child.stdout) as MneReport;
}

/** Times RUNS whole `stats` processes (after one warm-up) and returns their seconds and the last results. */
async function runOurs(cli: string, file: string, out: string, extra: readonly string[], count: number): Promise<{ seconds: number[]; results: ProbeResults }> {
  const args = [cli, 'stats', file, '--permutations', String(PERMUTATIONS), '--splits', '0', '--out', out, ...extra];
  timeNode(args, REPO_ROOT);
  const seconds = Array.from({ length: count }, () => timeNode(args, REPO_ROOT).ms / 1000);
  return { seconds, results: JSON.parse(await readFile(out, 'utf8')) as ProbeResults };
}

function ourFindings(results: ProbeResults): string {
  const significant = results.units.pFwer.filter((p) => p !== null && p < 0.05).length;
  return `max |t| ${results.maxAbsT.value?.toFixed(4)} at unit ${results.maxAbsT.unit}, units with FWER p < 0.05: ${significant}`;
}

async function main(): Promise<number> {
  const cli = builtCli();
  if (E.isLeft(cli)) {
    process.stderr.write(`${cli.left}\n`);
    return 1;
  }
  if (spawnSync(python, ['-c', 'import mne']).status !== 0) {
    process.stderr.write(`${python} cannot import mne. Install Debian's package: apt-get update && apt-get install -y python3-mne\n`);
    return 1;
  }
  const data = plantedDataset(N_PAIRS, N_UNITS, 7);
  const dir = await mkdtemp(path.join(tmpdir(), 'stats-vs-mne-'));
  try {
    const activations = path.join(dir, 'activations.safetensors');
    const npy = path.join(dir, 'differences.npy');
    await writeActivations(activations, { nPairs: N_PAIRS, nUnits: N_UNITS, a: data.a, b: data.b, pairs: null, groups: null, metadata: { model: 'stats-vs-mne benchmark' } });
    await writeFile(npy, encodeNpyFloat64(data.diff, [N_PAIRS, N_UNITS]));
    const out = path.join(dir, 'results.json');
    process.stdout.write(`stats vs MNE: ${N_UNITS.toLocaleString('en-US')} units x ${N_PAIRS} pairs x ${PERMUTATIONS.toLocaleString('en-US')} sign flips, two-sided (node ${process.version}, ${availableParallelism()} cores)\n`);
    process.stdout.write(`data: ${data.description}\n`);

    const ours = await runOurs(cli.right, activations, out, [], runs);
    const single = await runOurs(cli.right, activations, out, ['--workers', '1'], runs);
    const mne = runMne(npy);

    const oursS = summarize(ours.seconds);
    const singleS = summarize(single.seconds);
    const mneS = summarize(mne.seconds);
    const workers = Math.min(8, availableParallelism());
    process.stdout.write(`moral-plantain stats, whole process, default workers (${workers}): ${formatSummary(oursS, 3, 's')} (min / median / max of ${runs})  [${ourFindings(ours.results)}]\n`);
    process.stdout.write(`moral-plantain stats, whole process, --workers 1:      ${formatSummary(singleS, 3, 's')} (min / median / max of ${runs})  [${ourFindings(single.results)}]\n`);
    process.stdout.write(
      `MNE permutation_t_test, compute only, n_jobs=1:       ${formatSummary(mneS, 3, 's')} (min / median / max of ${mneRuns}, in run order ${mne.seconds.map((x) => x.toFixed(2)).join(', ')} s; python ${mne.python}, numpy ${mne.numpy}, mne ${mne.mne}; len(H0) ${mne.lenH0}; peak RSS ${mne.peakRssMiB.toFixed(0)} MiB)  [max |T_obs| ${mne.maxAbsT.toFixed(4)} at unit ${mne.maxAbsTUnit}, units with p < 0.05: ${mne.unitsBelow05}]\n`,
    );
    const ratio = mneS.median / oursS.median;
    process.stdout.write(`ratio MNE compute / our whole process: ${ratio.toFixed(1)}x (medians), ${(mneS.min / oursS.max).toFixed(1)}x (MNE fastest / ours slowest); at one worker each: ${(mneS.median / singleS.median).toFixed(1)}x\n`);
    process.stdout.write(`goal: at least ${GOAL_RATIO}x: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}\n`);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
