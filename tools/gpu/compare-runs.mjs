// Compares the activations of two probe runs of the same model and prompts on different devices
// (a reference, normally the CPU provider, and another), directly from their
// activations.safetensors (tensors a and b, [pairs x units], float32), and prints one JSON line:
// whether every value is finite, the largest and median relative difference |x - ref| / |ref| over
// all pairs, units and both conditions (where the largest lies), the paired t of every unit
// recomputed from both (largest difference, correlation, overlap of the 10 largest |t|), and each
// run's per-prompt times from run.json. Exit status 0 when every value is finite and the largest
// relative difference is within --tolerance, 1 when not, 2 on bad input. Plain Node.js, no
// packages: tools/gpu/check.sh runs it with the Node.js it carries.
//   node compare-runs.mjs <reference-run> <run> --tolerance 1e-2
//   node compare-runs.mjs --timing <run>            (per-prompt times of one run, as JSON)
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The tensors and metadata of a safetensors file (F32 tensors only). */
function readSafetensors(file) {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const start = 8 + headerLength;
  const tensors = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`${file}: tensor ${name} is ${entry.dtype}, expected F32`);
    const [from, to] = entry.data_offsets;
    const copy = bytes.subarray(start + from, start + to);
    tensors[name] = { shape: entry.shape, data: new Float32Array(copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength)) };
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}

/** Per-prompt seconds of a run: session load, text encoding and transformer, from its run.json. */
function timing(dir) {
  const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
  const stages = run.timings?.probeStages ?? {};
  const prompts = run.prompts?.computed ?? 0;
  const per = (s) => (prompts > 0 && typeof s === 'number' ? s / prompts : null);
  return { device: run.device, prompts, loadSeconds: stages.load ?? null, encodePerPrompt: per(stages.encode), transformerPerPrompt: per(stages.transformer), probeSeconds: stages.total ?? null };
}

/** Paired t of every unit (a - b over pairs). */
function pairedT(a, b, pairs, units) {
  const t = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let p = 0; p < pairs; p++) sum += a[p * units + u] - b[p * units + u];
    const mean = sum / pairs;
    let ss = 0;
    for (let p = 0; p < pairs; p++) ss += (a[p * units + u] - b[p * units + u] - mean) ** 2;
    const sd = Math.sqrt(ss / (pairs - 1));
    t[u] = sd > 0 ? mean / (sd / Math.sqrt(pairs)) : 0;
  }
  return t;
}

function pearson(x, y) {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function topUnits(t, k) {
  return new Set([...t.keys()].sort((i, j) => Math.abs(t[j]) - Math.abs(t[i])).slice(0, k));
}

function compare(referenceDir, otherDir, tolerance) {
  const ref = readSafetensors(path.join(referenceDir, 'activations.safetensors'));
  const other = readSafetensors(path.join(otherDir, 'activations.safetensors'));
  for (const key of ['modelFingerprint', 'seed', 'resolution', 'pairs', 'stimuli']) {
    if (ref.metadata[key] !== other.metadata[key]) throw new Error(`the runs differ in ${key} (${ref.metadata[key]} vs ${other.metadata[key]}): not the same probe`);
  }
  const [pairs, units] = ref.tensors.a.shape;
  const groups = JSON.parse(ref.metadata.groups ?? '[]');
  let finite = true;
  let worst = { rel: 0, condition: '', pair: 0, unit: 0, reference: 0, value: 0 };
  const rels = [];
  for (const condition of ['a', 'b']) {
    const x = ref.tensors[condition].data;
    const y = other.tensors[condition].data;
    if (x.length !== y.length) throw new Error(`tensor ${condition} has ${x.length} values in one run and ${y.length} in the other`);
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) finite = false;
      const rel = Math.abs(y[i] - x[i]) / Math.max(Math.abs(x[i]), Number.MIN_VALUE);
      rels.push(rel);
      if (!(rel <= worst.rel)) worst = { rel, condition, pair: Math.floor(i / units), unit: i % units, reference: x[i], value: y[i] };
    }
  }
  rels.sort((p, q) => p - q);
  const tRef = pairedT(ref.tensors.a.data, ref.tensors.b.data, pairs, units);
  const tOther = pairedT(other.tensors.a.data, other.tensors.b.data, pairs, units);
  const maxTDiff = tRef.reduce((m, v, i) => Math.max(m, Math.abs(v - tOther[i])), 0);
  const k = Math.min(10, units);
  const topRef = topUnits(tRef, k);
  const topOverlap = [...topUnits(tOther, k)].filter((u) => topRef.has(u)).length;
  const pass = finite && worst.rel <= tolerance;
  return {
    pass,
    finite,
    tolerance,
    values: rels.length,
    pairs,
    units,
    maxRelDiff: worst.rel,
    medianRelDiff: rels[Math.floor(rels.length / 2)],
    worst: { ...worst, group: groups[worst.unit] ?? null },
    t: { maxAbsDiff: maxTDiff, correlation: pearson(tRef, tOther), top: k, topOverlap },
    reference: timing(referenceDir),
    other: timing(otherDir),
  };
}

function main(args) {
  try {
    if (args[0] === '--timing' && args.length === 2) {
      process.stdout.write(`${JSON.stringify(timing(args[1]))}\n`);
      return 0;
    }
    const at = args.indexOf('--tolerance');
    const tolerance = at >= 0 ? Number(args[at + 1]) : NaN;
    const dirs = args.filter((_, i) => i !== at && i !== at + 1);
    if (dirs.length !== 2 || !(tolerance > 0)) {
      process.stderr.write('usage: compare-runs.mjs <reference-run> <run> --tolerance <relative>\n       compare-runs.mjs --timing <run>\n');
      return 2;
    }
    const result = compare(dirs[0], dirs[1], tolerance);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.pass ? 0 : 1;
  } catch (error) {
    process.stderr.write(`compare-runs: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
