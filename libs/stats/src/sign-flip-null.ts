import { Worker } from 'node:worker_threads';
import type { DenseMatrix } from './matrix.js';
import { kernelSource, scanUnitRange, type CompiledWasm, type KernelInput, type KernelOutput } from './sign-flip-kernel.js';
import type { SignPatterns } from './sign-patterns.js';
import { signFlipSimdModule } from './wasm/simd-module.js';

/** What the sign-flip null is scanned for, in the fast layer's terms (inputs already valid). */
export interface SignFlipScanInput {
  /** Paired differences [pairs x units]; for a 'less' test pass the negated differences. */
  readonly diff: DenseMatrix;
  /** Units to scan (zero-variance units are left out). */
  readonly units: Uint32Array;
  readonly patterns: SignPatterns;
  /** 'two-sided' scans |t|; 'greater' scans signed t. */
  readonly direction: 'two-sided' | 'greater';
  /** Positive t cut-offs (at most 3); each pattern's count of units beyond each one is recorded. */
  readonly tCutoffs: readonly number[];
  /** Worker threads to split the units over; 1 scans in this thread. */
  readonly workers: number;
}

/** The sign-flip null as the statistics need it. */
export interface SignFlipScan {
  /** Per scanned unit: patterns at least as extreme as the observed data. */
  readonly exceed: Uint32Array;
  /** Per pattern: the largest |t| (two-sided) or t ('greater') over the scanned units. */
  readonly maxStat: Float64Array;
  /** Per cut-off: per pattern, the units beyond it. */
  readonly counts: Uint32Array[];
}

/** Most t cut-offs one scan handles (they live in registers in the inner loop). */
export const MAX_SCAN_CUTOFFS = 3;

/**
 * Relative tolerance for ties between a permuted sum and the observed one, in units of the sum of
 * |differences|: patterns that tie in exact arithmetic differ in the last bits once rounded.
 */
export const TIE_RTOL = 1e-10;

/**
 * Scans the sign-flip null, splitting units over `workers` threads: this one and worker threads
 * for the other shares, started first so they start up while this thread scans its share. Results
 * do not depend on `workers`.
 */
export async function scanSignFlips(input: SignFlipScanInput): Promise<SignFlipScan> {
  const [own, ...others] = splitUnits(input.units, input.workers);
  const simd = signFlipSimdModule();
  const inWorkers = others.map((units) => runInWorker(toKernelInput(input, units, true), simd));
  const here = scanUnitRange(toKernelInput(input, own, false), simd);
  return combine([here, ...(await Promise.all(inWorkers))], input);
}

/** The same scan in this thread, synchronously. */
export function scanSignFlipsSync(input: SignFlipScanInput): SignFlipScan {
  return combine([scanUnitRange(toKernelInput(input, input.units, false), signFlipSimdModule())], input);
}

function splitUnits(units: Uint32Array, workers: number): Uint32Array[] {
  const shares = Math.max(1, Math.min(workers, Math.ceil(units.length / 4)));
  const size = Math.ceil(units.length / shares / 4) * 4;
  const out: Uint32Array[] = [];
  for (let start = 0; start < units.length; start += size) out.push(units.subarray(start, start + size));
  return out.length > 0 ? out : [units];
}

/**
 * The kernel's input for `units`: the differences of those units, row-major. When they are every
 * unit in order and the input stays in this thread, the differences are passed as they are;
 * otherwise (a subset, or a copy to transfer to a worker) they are gathered.
 */
function toKernelInput(input: SignFlipScanInput, units: Uint32Array, transfer: boolean): KernelInput {
  const { diff, patterns } = input;
  const n = diff.rows;
  const m = units.length;
  const everyUnit = m === diff.cols && units.every((u, j) => u === j);
  let rows = diff.data;
  if (transfer || !everyUnit) {
    rows = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      const from = i * diff.cols;
      for (let j = 0; j < m; j++) rows[i * m + j] = diff.data[from + units[j]];
    }
  }
  return {
    rows,
    nPairs: n,
    nUnits: m,
    patternCount: patterns.count,
    codes: patterns.codes,
    twoSided: input.direction === 'two-sided',
    tCutoffs: input.tCutoffs,
    tieRtol: TIE_RTOL,
  };
}

function combine(outputs: KernelOutput[], input: SignFlipScanInput): SignFlipScan {
  const { count, nPairs } = input.patterns;
  const twoSided = input.direction === 'two-sided';
  const exceed = new Uint32Array(input.units.length);
  const best = new Float64Array(count).fill(twoSided ? 0 : -Infinity);
  const counts = input.tCutoffs.map(() => new Uint32Array(count));
  let offset = 0;
  for (const out of outputs) {
    exceed.set(out.exceed, offset);
    offset += out.exceed.length;
    for (let f = 0; f < count; f++) if (out.best[f] > best[f]) best[f] = out.best[f];
    counts.forEach((c, k) => {
      for (let f = 0; f < count; f++) c[f] += out.counts[k * count + f];
    });
  }
  // The kernel tracks S^2 / (n SS - S^2) or S / sqrt(n SS - S^2); t is that (or its root) times sqrt(n - 1).
  const scale = Math.sqrt(nPairs - 1);
  const maxStat = best.map((b) => (twoSided ? Math.sqrt(b) : b) * scale);
  return { exceed, maxStat, counts };
}

/** The worker's script after the kernel's source: the kernel's name as this build spells it (a bundler may rename it). */
const WORKER_MAIN = `
const { parentPort, workerData } = require('node:worker_threads');
const out = ${scanUnitRange.name}(workerData.input, workerData.simd);
parentPort.postMessage(out, [out.exceed.buffer, out.best.buffer, out.counts.buffer]);
`;

/** Runs the kernel in a worker thread started from its own source text (see sign-flip-kernel.ts). */
function runInWorker(input: KernelInput, simd: CompiledWasm | null): Promise<KernelOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`${kernelSource()}\n${WORKER_MAIN}`, {
      eval: true,
      workerData: { input, simd },
      transferList: [input.rows.buffer as ArrayBuffer],
    });
    worker.once('message', (out: KernelOutput) => {
      resolve(out);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`sign-flip worker stopped with exit code ${code}`));
    });
  });
}
