// The inner loop of the sign-flip null. This file has no runtime imports on purpose: worker threads
// are started from the source text of `scanUnitRange` and its helpers (see sign-flip-workers.ts),
// which works the same from the TypeScript sources and from the built package.

/** One worker's share of the scan, as plain transferable data. */
export interface KernelInput {
  /** Differences of the scanned units, row-major [pairs x nUnits]: unit j's pair i at [i * nUnits + j]. */
  readonly rows: Float64Array;
  readonly nPairs: number;
  readonly nUnits: number;
  readonly patternCount: number;
  /** Flip bits per pattern and block of 8 pairs: pattern f's block g at [f * blocks + g]. */
  readonly codes: Uint8Array;
  /** 'two-sided' scans |t|; 'greater' scans signed t. */
  readonly twoSided: boolean;
  /** Positive t cut-offs, at most 3. */
  readonly tCutoffs: readonly number[];
  /** Tie tolerance relative to the sum of |differences|. */
  readonly tieRtol: number;
}

/** A compiled WebAssembly module, opaque here (this package builds without the DOM's WebAssembly types). */
export type CompiledWasm = object;

/** The part of the WebAssembly API the scan uses to instantiate its module. */
interface WasmRuntime {
  readonly Instance: new (module: CompiledWasm, imports: object) => { readonly exports: Record<string, unknown> };
}

/** A WebAssembly memory, as the scan uses it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** What one share of the scan found. */
export interface KernelOutput {
  /** Per unit: patterns at least as extreme as the observed data. */
  readonly exceed: Uint32Array;
  /** Per pattern: max S^2 / (n SS - S^2) (two-sided) or max S / sqrt(n SS - S^2) ('greater'). */
  readonly best: Float64Array;
  /** Per cut-off k and pattern f at [k * patternCount + f]: units beyond the cut-off. */
  readonly counts: Uint32Array;
}

/**
 * Scans every pattern over every unit, four units at a time so each packed code load and loop step
 * serves four units. With SS fixed under flips, t^2 = (n - 1) S^2 / (n SS - S^2) and
 * |t| > c  <=>  S^2 > c^2 n SS / (n - 1 + c^2), so no square root is taken per pattern.
 * For n <= 32 (four blocks of 8 pairs) the loop over patterns runs in WebAssembly SIMD when `simd`
 * (the module of sign-flip-wasm.ts) is given, with bit-identical results; otherwise, and for any n,
 * in JavaScript.
 */
export function scanUnitRange(input: KernelInput, simd: CompiledWasm | null = null): KernelOutput {
  const { nPairs: n, nUnits, patternCount: F, twoSided, tCutoffs } = input;
  if (n > 32) return scanUnitRangeGeneral(input);
  // With up to 25 pairs the third block table covers 9 pairs (a fourth block adds nothing): the
  // WebAssembly loop then needs three table loads per pattern. Past 25 pairs, four blocks of 8, in JavaScript.
  const merged = n <= 25;
  const memory = scanMemory(merged ? simd : null, input);
  const { tables, nss, observed, cuts, lowCut, packed, best, counts, quad } = memory;
  packCodes(input.codes, F, Math.ceil(n / 8), packed);
  if (quad !== null) mergedRowOffsets(packed, F, memory.rowOffsets);
  best.fill(twoSided ? 0 : -Infinity);
  memory.phi.fill(twoSided ? 0 : -Infinity);
  memory.lowFactor[0] = filterLowFactor(input);
  const exceed = new Uint32Array(nUnits);
  for (let u0 = 0; u0 < nUnits; u0 += 4) {
    for (let lane = 0; lane < 4; lane++) {
      const u = u0 + lane;
      laneThresholds(input, u < nUnits ? u : -1, lane, nss, observed, cuts, lowCut, memory.sqrtNss);
    }
    let e: ArrayLike<number>;
    if (quad !== null) {
      quad.tables(memory.unitsAt + 8 * u0, n, 8 * memory.paddedUnits);
      quad.scan(F, memory.rowOffsetsAt, memory.bestAt, memory.countsAt, memory.candidatesAt, memory.phiAt);
      e = memory.exceed;
    } else {
      for (let lane = 0; lane < 4; lane++) fillLaneTables(input, u0 + lane < nUnits ? u0 + lane : -1, lane, merged, tables);
      const mask2 = merged ? 511 : 255;
      e = twoSided
        ? scanQuadTwoSided(tables, packed, F, mask2, nss, observed, cuts, lowCut, best, counts)
        : scanQuadGreater(tables, packed, F, mask2, nss, observed, cuts, lowCut, best, counts);
    }
    for (let lane = 0; lane < 4 && u0 + lane < nUnits; lane++) exceed[u0 + lane] = e[lane];
  }
  return { exceed, best: best.slice(), counts: counts.slice(0, tCutoffs.length * F) };
}

/** The WebAssembly functions of one scan: the block tables of four units, then their loop over patterns. */
interface QuadFunctions {
  readonly tables: (first: number, n: number, rowBytes: number) => void;
  readonly scan: (F: number, rowOffsets: number, best: number, counts: number, candidates: number, phi: number) => void;
}

/** The arrays of one scan, and the WebAssembly functions when there is a module. */
interface ScanMemory {
  /**
   * tables[(row + code) * 4 + lane]: the flipped partial sum of a block for 4 units. Rows: block 0 at
   * 0, block 1 at 256, block 2 at 512 (9 pairs, 512 codes, when merged), block 3 at 1024 (zeros when merged).
   */
  readonly tables: Float64Array;
  readonly nss: Float64Array;
  readonly observed: Float64Array;
  readonly cuts: Float64Array;
  readonly lowCut: Float64Array;
  /** sqrt(nss) of the four units, for the WebAssembly loop's filter in a 'greater' scan. */
  readonly sqrtNss: Float64Array;
  /** The filter's factor for the lowest cut-off (one value; see filterLowFactor). */
  readonly lowFactor: Float64Array;
  /** The filter's factor per pattern, kept by the WebAssembly loop as the maxima grow. */
  readonly phi: Float64Array;
  /** The WebAssembly loop's four exceed counts. */
  readonly exceed: Int32Array;
  readonly packed: Uint32Array;
  /** For the WebAssembly loop: per pattern f, the byte offsets of its three table rows at [4 f + block]. */
  readonly rowOffsets: Uint16Array;
  readonly best: Float64Array;
  readonly counts: Uint32Array;
  /**
   * Byte offsets in the module's memory: the differences (row-major, each row padded with zeros to
   * `paddedUnits`), row offsets, best, counts, and room for the loop's list of patterns with rare work.
   */
  readonly unitsAt: number;
  readonly paddedUnits: number;
  readonly rowOffsetsAt: number;
  readonly bestAt: number;
  readonly countsAt: number;
  readonly candidatesAt: number;
  readonly phiAt: number;
  /** The module's functions, or null to run the scan in JavaScript. */
  readonly quad: QuadFunctions | null;
}

/**
 * The scan's arrays: views into the memory of an instance of the WebAssembly module, laid out as
 * sign-flip-quad.wat reads them (the differences copied in), or plain arrays when there is no module.
 */
function scanMemory(simd: CompiledWasm | null, input: KernelInput): ScanMemory {
  const { nPairs: n, nUnits, patternCount: F, twoSided } = input;
  const tableValues = 1280 * 4;
  const paramsAt = 8 * tableValues;
  const unitsAt = paramsAt + 256;
  const paddedUnits = Math.ceil(nUnits / 4) * 4;
  const rowOffsetsAt = unitsAt + 8 * n * paddedUnits;
  const bestAt = rowOffsetsAt + 8 * F;
  const countsAt = bestAt + 8 * F;
  const candidatesAt = countsAt + 12 * F;
  const phiAt = candidatesAt + 4 * F;
  if (simd === null) {
    return {
      tables: new Float64Array(tableValues), nss: new Float64Array(4), observed: new Float64Array(4), cuts: new Float64Array(12), lowCut: new Float64Array(4),
      sqrtNss: new Float64Array(4), lowFactor: new Float64Array(1), phi: new Float64Array(0),
      exceed: new Int32Array(4), packed: new Uint32Array(F), rowOffsets: new Uint16Array(0), best: new Float64Array(F), counts: new Uint32Array(3 * F),
      unitsAt, paddedUnits, rowOffsetsAt, bestAt, countsAt, candidatesAt, phiAt, quad: null,
    };
  }
  const runtime = (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;
  const instance = new runtime.Instance(simd, {});
  const memory = instance.exports.memory as WasmMemory;
  const pages = Math.ceil((phiAt + 8 * F) / 65536);
  if (pages > 1) memory.grow(pages - 1);
  const buffer = memory.buffer;
  const units = new Float64Array(buffer, unitsAt, n * paddedUnits);
  for (let i = 0; i < n; i++) units.set(input.rows.subarray(i * nUnits, (i + 1) * nUnits), i * paddedUnits);
  return {
    tables: new Float64Array(buffer, 0, tableValues), nss: new Float64Array(buffer, paramsAt, 4), observed: new Float64Array(buffer, paramsAt + 32, 4),
    cuts: new Float64Array(buffer, paramsAt + 64, 12), lowCut: new Float64Array(buffer, paramsAt + 160, 4), exceed: new Int32Array(buffer, paramsAt + 192, 4),
    sqrtNss: new Float64Array(buffer, paramsAt + 208, 4), lowFactor: new Float64Array(buffer, paramsAt + 240, 1), phi: new Float64Array(buffer, phiAt, F),
    packed: new Uint32Array(F), rowOffsets: new Uint16Array(buffer, rowOffsetsAt, 4 * F), best: new Float64Array(buffer, bestAt, F),
    counts: new Uint32Array(buffer, countsAt, 3 * F), unitsAt, paddedUnits, rowOffsetsAt, bestAt, countsAt, candidatesAt, phiAt,
    quad: {
      tables: instance.exports.quadTables as QuadFunctions['tables'],
      scan: (twoSided ? instance.exports.quadTwoSided : instance.exports.quadGreater) as QuadFunctions['scan'],
    },
  };
}

/**
 * The WebAssembly loop's filter factor for the lowest cut-off, with room for rounding: a unit can be
 * beyond it only if q > factor nss (two-sided) or S > factor sqrt(nss) ('greater'). Infinite
 * without cut-offs.
 */
function filterLowFactor(inp: KernelInput): number {
  if (inp.tCutoffs.length === 0) return Infinity;
  const c = Math.min(...inp.tCutoffs);
  const k = (c * c) / (inp.nPairs - 1 + c * c);
  return (inp.twoSided ? k : Math.sqrt(k)) * 0.999999999999;
}

/** Lane `lane`'s thresholds for unit `u` (-1: a padding lane that never counts and is never the maximum). */
function laneThresholds(
  inp: KernelInput,
  u: number,
  lane: number,
  nssOut: Float64Array,
  obsOut: Float64Array,
  cutOut: Float64Array,
  lowOut: Float64Array,
  sqrtNssOut: Float64Array,
): void {
  if (u < 0) {
    nssOut[lane] = 1;
    sqrtNssOut[lane] = 1;
    obsOut[lane] = Infinity;
    for (let k = 0; k < 3; k++) cutOut[k * 4 + lane] = Infinity;
    lowOut[lane] = Infinity;
    return;
  }
  const n = inp.nPairs;
  const [s, ss, sumAbs] = unitMoments(inp, u);
  const tol = inp.tieRtol * sumAbs;
  nssOut[lane] = n * ss;
  sqrtNssOut[lane] = Math.sqrt(n * ss);
  const lowered = Math.max(0, Math.abs(s) - tol);
  obsOut[lane] = inp.twoSided ? lowered * lowered : s - tol;
  let lowest = Infinity;
  for (let k = 0; k < 3; k++) {
    let cut = Infinity;
    if (k < inp.tCutoffs.length) {
      const c2 = inp.tCutoffs[k] * inp.tCutoffs[k];
      const s2 = (c2 * n * ss) / (n - 1 + c2);
      cut = inp.twoSided ? s2 : Math.sqrt(s2);
    }
    cutOut[k * 4 + lane] = cut;
    lowest = Math.min(lowest, cut);
  }
  lowOut[lane] = lowest;
}

/** Sum, sum of squares and sum of |x| of unit u's differences, in pair order. */
function unitMoments(inp: KernelInput, u: number): [number, number, number] {
  const { rows, nPairs: n, nUnits } = inp;
  let s = 0;
  let ss = 0;
  let sumAbs = 0;
  for (let i = 0; i < n; i++) {
    const x = rows[i * nUnits + u];
    s += x;
    ss += x * x;
    sumAbs += Math.abs(x);
  }
  return [s, ss, sumAbs];
}

/**
 * Lane `lane` of the four-unit block tables for unit `u` (-1: a padding lane, all sums 0); merged:
 * block 2 holds pairs 16 to 24. A block's code 0 sums its pairs from 0 in order, then
 * T[code] = T[code ^ low] - 2 x[lowest set bit]: quadTables of sign-flip-quad.wat does the same.
 */
function fillLaneTables(inp: KernelInput, u: number, lane: number, merged: boolean, tab: Float64Array): void {
  if (u < 0) {
    for (let i = lane; i < tab.length; i += 4) tab[i] = 0;
    return;
  }
  const { rows, nPairs: n, nUnits } = inp;
  for (let g = 0; g < 4; g++) {
    const first = g * 8;
    const size = !merged ? 8 : g === 2 ? 9 : g === 3 ? 0 : 8;
    const bits = Math.max(0, Math.min(size, n - first));
    const row = g === 3 ? 1024 : g * 256;
    let sum = 0;
    for (let k = 0; k < bits; k++) sum += rows[(first + k) * nUnits + u];
    tab[row * 4 + lane] = sum;
    for (let code = 1; code < 1 << bits; code++) {
      const low = code & -code;
      const k = 31 - Math.clz32(low);
      tab[(row + code) * 4 + lane] = tab[(row + (code ^ low)) * 4 + lane] - 2 * rows[(first + k) * nUnits + u];
    }
  }
}

/** Four byte codes per pattern in one integer (block g in bits 8g..8g+7), missing blocks 0, into `packed`. */
function packCodes(codes: Uint8Array, F: number, blocks: number, packed: Uint32Array): void {
  for (let f = 0; f < F; f++) {
    let p = 0;
    for (let g = 0; g < blocks; g++) p |= codes[f * blocks + g] << (8 * g);
    packed[f] = p >>> 0;
  }
}

/**
 * The merged layout's table rows of each pattern as byte offsets into the tables, (row + code) * 32,
 * at [4 f + block]: block 0 at row 0, block 1 at row 256, block 2 (9 bits) at row 512.
 */
function mergedRowOffsets(packed: Uint32Array, F: number, out: Uint16Array): void {
  for (let f = 0; f < F; f++) {
    const p = packed[f];
    out[4 * f] = (p & 255) << 5;
    out[4 * f + 1] = (256 + ((p >>> 8) & 255)) << 5;
    out[4 * f + 2] = (512 + ((p >>> 16) & 511)) << 5;
  }
}

/** The same scan for any n, one unit at a time with one table of 256 partial sums per block. */
function scanUnitRangeGeneral(input: KernelInput): KernelOutput {
  const { rows, nPairs: n, nUnits, patternCount: F, codes, twoSided, tCutoffs, tieRtol } = input;
  const blocks = Math.ceil(n / 8);
  const exceed = new Uint32Array(nUnits);
  const best = new Float64Array(F).fill(twoSided ? 0 : -Infinity);
  const counts = new Uint32Array(tCutoffs.length * F);
  const tab = new Float64Array(blocks * 256);
  const cut = new Float64Array(tCutoffs.length);
  for (let u = 0; u < nUnits; u++) {
    const [s, ss, sumAbs] = unitMoments(input, u);
    for (let g = 0; g < blocks; g++) {
      const first = g * 8;
      const bits = Math.min(8, n - first);
      let sum = 0;
      for (let k = 0; k < bits; k++) sum += rows[(first + k) * nUnits + u];
      tab[g * 256] = sum;
      for (let code = 1; code < 1 << bits; code++) {
        const low = code & -code;
        tab[g * 256 + code] = tab[g * 256 + (code ^ low)] - 2 * rows[(first + 31 - Math.clz32(low)) * nUnits + u];
      }
    }
    const nss = n * ss;
    const tol = tieRtol * sumAbs;
    const lowered = Math.max(0, Math.abs(s) - tol);
    const observed = twoSided ? lowered * lowered : s - tol;
    for (let k = 0; k < tCutoffs.length; k++) {
      const c2 = tCutoffs[k] * tCutoffs[k];
      const s2 = (c2 * nss) / (n - 1 + c2);
      cut[k] = twoSided ? s2 : Math.sqrt(s2);
    }
    let e = 0;
    for (let f = 0; f < F; f++) {
      let x = 0;
      for (let g = 0; g < blocks; g++) x += tab[g * 256 + codes[f * blocks + g]];
      const v = twoSided ? x * x : x;
      e += +(v >= observed);
      for (let k = 0; k < cut.length; k++) if (v > cut[k]) counts[k * F + f]++;
      best[f] = Math.max(best[f], twoSided ? ratio(v, nss) : signedT(x, nss, best[f]));
    }
    exceed[u] = e;
  }
  return { exceed, best, counts };
}

function scanQuadTwoSided(
  tab: Float64Array,
  packed: Uint32Array,
  F: number,
  mask2: number,
  nss: Float64Array,
  observed: Float64Array,
  cuts: Float64Array,
  lowCut: Float64Array,
  best: Float64Array,
  counts: Uint32Array,
): number[] {
  const n0 = nss[0], n1 = nss[1], n2 = nss[2], n3 = nss[3];
  const o0 = observed[0], o1 = observed[1], o2 = observed[2], o3 = observed[3];
  const l0 = lowCut[0], l1 = lowCut[1], l2 = lowCut[2], l3 = lowCut[3];
  let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
  for (let f = 0; f < F; f++) {
    const p = packed[f];
    const i0 = (p & 255) << 2;
    const i1 = (256 + ((p >>> 8) & 255)) << 2;
    const i2 = (512 + ((p >>> 16) & mask2)) << 2;
    const i3 = (1024 + (p >>> 24)) << 2;
    const s0 = tab[i0] + tab[i1] + tab[i2] + tab[i3];
    const s1 = tab[i0 + 1] + tab[i1 + 1] + tab[i2 + 1] + tab[i3 + 1];
    const s2 = tab[i0 + 2] + tab[i1 + 2] + tab[i2 + 2] + tab[i3 + 2];
    const s3 = tab[i0 + 3] + tab[i1 + 3] + tab[i2 + 3] + tab[i3 + 3];
    const q0 = s0 * s0, q1 = s1 * s1, q2 = s2 * s2, q3 = s3 * s3;
    e0 += +(q0 >= o0);
    e1 += +(q1 >= o1);
    e2 += +(q2 >= o2);
    e3 += +(q3 >= o3);
    if (q0 > l0 || q1 > l1 || q2 > l2 || q3 > l3) {
      countBeyond(counts, F, f, cuts, q0, q1, q2, q3);
    }
    // q / (nss - q) > m  <=>  q > m (nss - q); rarely true once a few units are in.
    const m = best[f];
    if (q0 > m * (n0 - q0) || q1 > m * (n1 - q1) || q2 > m * (n2 - q2) || q3 > m * (n3 - q3)) {
      best[f] = Math.max(m, ratio(q0, n0), ratio(q1, n1), ratio(q2, n2), ratio(q3, n3));
    }
  }
  return [e0, e1, e2, e3];
}

function scanQuadGreater(
  tab: Float64Array,
  packed: Uint32Array,
  F: number,
  mask2: number,
  nss: Float64Array,
  observed: Float64Array,
  cuts: Float64Array,
  lowCut: Float64Array,
  best: Float64Array,
  counts: Uint32Array,
): number[] {
  const o0 = observed[0], o1 = observed[1], o2 = observed[2], o3 = observed[3];
  const l0 = lowCut[0], l1 = lowCut[1], l2 = lowCut[2], l3 = lowCut[3];
  const n0 = nss[0], n1 = nss[1], n2 = nss[2], n3 = nss[3];
  let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
  for (let f = 0; f < F; f++) {
    const p = packed[f];
    const i0 = (p & 255) << 2;
    const i1 = (256 + ((p >>> 8) & 255)) << 2;
    const i2 = (512 + ((p >>> 16) & mask2)) << 2;
    const i3 = (1024 + (p >>> 24)) << 2;
    const s0 = tab[i0] + tab[i1] + tab[i2] + tab[i3];
    const s1 = tab[i0 + 1] + tab[i1 + 1] + tab[i2 + 1] + tab[i3 + 1];
    const s2 = tab[i0 + 2] + tab[i1 + 2] + tab[i2 + 2] + tab[i3 + 2];
    const s3 = tab[i0 + 3] + tab[i1 + 3] + tab[i2 + 3] + tab[i3 + 3];
    e0 += +(s0 >= o0);
    e1 += +(s1 >= o1);
    e2 += +(s2 >= o2);
    e3 += +(s3 >= o3);
    if (s0 > l0 || s1 > l1 || s2 > l2 || s3 > l3) {
      countBeyond(counts, F, f, cuts, s0, s1, s2, s3);
    }
    const m = best[f];
    // Once m >= 0, only s > 0 with s^2 (1 + m^2) > m^2 nss can beat it, i.e. s |s| (1 + m^2) > m^2 nss
    // (branch-free, as m^2 nss >= 0): rarely true, so test that first.
    const m2 = m * m;
    const k = 1 + m2;
    if (
      m < 0 ||
      s0 * Math.abs(s0) * k > m2 * n0 ||
      s1 * Math.abs(s1) * k > m2 * n1 ||
      s2 * Math.abs(s2) * k > m2 * n2 ||
      s3 * Math.abs(s3) * k > m2 * n3
    ) {
      best[f] = Math.max(m, signedT(s0, n0, m), signedT(s1, n1, m), signedT(s2, n2, m), signedT(s3, n3, m));
    }
  }
  return [e0, e1, e2, e3];
}

/** Adds pattern f's units beyond each cut-off (values are S^2 or S, matching `cuts`). */
function countBeyond(
  counts: Uint32Array,
  F: number,
  f: number,
  cuts: Float64Array,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  for (let k = 0; k < 3; k++) {
    const c = k * 4;
    counts[k * F + f] +=
      (v0 > cuts[c] ? 1 : 0) + (v1 > cuts[c + 1] ? 1 : 0) + (v2 > cuts[c + 2] ? 1 : 0) + (v3 > cuts[c + 3] ? 1 : 0);
  }
}

/** q / (nss - q), infinite when the flipped differences are all equal (nss - q <= 0). */
function ratio(q: number, nss: number): number {
  const den = nss - q;
  return den > 0 ? q / den : q > 0 ? Infinity : 0;
}

/** s / sqrt(nss - s^2) when it can beat `m` (cheap test first), else -Infinity. */
function signedT(s: number, nss: number, m: number): number {
  if (m >= 0 && !(s > 0 && s * s * (1 + m * m) > m * m * nss)) return -Infinity;
  const den = nss - s * s;
  return den > 0 ? s / Math.sqrt(den) : s > 0 ? Infinity : s < 0 ? -Infinity : 0;
}

/** Source text of the kernel, for starting it in a worker thread. */
export function kernelSource(): string {
  return [scanUnitRange, scanMemory, filterLowFactor, unitMoments, laneThresholds, fillLaneTables, packCodes, mergedRowOffsets, scanUnitRangeGeneral, scanQuadTwoSided, scanQuadGreater, countBeyond, ratio, signedT]
    .map((fn) => fn.toString())
    .join('\n');
}
