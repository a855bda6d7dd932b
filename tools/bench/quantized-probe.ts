/**
 * How far weight-only quantization moves the probe's results, at real width. A checkpoint of seeded
 * trained-like weights (`trainedLikeWeights`; WEIGHTS=gaussian for plain Gaussian ones) is written
 * once as float32 safetensors shards: a FLUX.2 klein-4B-wide transformer (D = 3072, 24 heads x 128)
 * cut to 1 joint + 2 single blocks (1,728 units of 16 channels), and Qwen3-4B's text encoder (width
 * 2560, its real vocabulary) cut to its first 3 layers (hidden states 1, 2, 3 -> 7680 channels).
 * The model is then built from it three times, as from a downloaded checkpoint: float32, and int8
 * and int4 MatMulNBits (blocks of 128, symmetric). Each variant probes the first PAIRS pairs
 * (default 8) of the moral-plantain set, tokenized by the real Qwen3 tokenizer, at
 * 256 x 256 (256 image + 512 text tokens), noise seed 0, CPU execution provider; the float32 model
 * also probes with noise seed 1, the yardstick: how far results move when only the noise is drawn
 * again. Builds and probes run in child processes, so each peak RSS is that step's alone.
 * Prints build time, disk size, per-prompt time and peak RSS of each variant, then against float32:
 * the relative RMS change of the unit values, the Pearson correlation of the per-unit t vectors,
 * the overlap of the top 100 units by |t|, and the counts of units past |t| > 3, |t| > 5, |d| > 0.8
 * and FWER p < 0.05 (10,000 sign flips; the report's thresholds).
 * THREADS sets ONNX Runtime's intra-op threads (default: ONNX Runtime's); KEEP=1 keeps the folders.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { buildModelFolder, checkpointWeights, flux2ParameterShapes, flux2Presets, qwen3ParameterPlan, qwen3Presets, seededWeights, type QuantizationOptions, type WeightSource } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, loadQwen3Tokenizer, openModelFolder, qwen3Tokenize, runProbe } from '@moral-plantain/model-runtime';
import { pairedTestSync, pearson, topUnitsByAbsT, type ProbeResults } from '@moral-plantain/stats';
import { loadBuiltinStimulusSet } from '@moral-plantain/stimuli';
import { flux2Init, writeSeededCheckpoint } from './support/seeded-checkpoint.js';
import { trainedLikeWeights, TRAINED_LIKE_SHAPE } from './support/trained-like-weights.js';

const pairCount = Number(process.env['PAIRS'] ?? 8);
const threads = Number(process.env['THREADS'] ?? 0);
const gaussian = process.env['WEIGHTS'] === 'gaussian';
const keep = process.env['KEEP'] === '1';
const RESOLUTION: [number, number] = [256, 256];
const TOP = 100;
const FLIPS = 10_000;

const transformerConfig = { ...flux2Presets['klein-4b'], num_layers: 1, num_single_layers: 2 };
const textConfig = { ...qwen3Presets['qwen3-4b'], outputLayers: [1, 2, 3] };

const VARIANTS: readonly { name: string; quantization?: QuantizationOptions }[] = [
  { name: 'float32' },
  { name: 'int8', quantization: { bits: 8, blockSize: 128, symmetric: true } },
  { name: 'int4', quantization: { bits: 4, blockSize: 128, symmetric: true } },
];

function must<T>(value: E.Either<unknown, T>): T {
  if (E.isLeft(value)) throw new Error(JSON.stringify(value.left));
  return value.right;
}

function weights(): WeightSource {
  return gaussian ? seededWeights({ seed: 0 }) : trainedLikeWeights(0);
}

function pairs(): { id: string; a: string; b: string }[] {
  return must(loadBuiltinStimulusSet('moral-plantain'))
    .set.pairs.slice(0, pairCount)
    .map((p) => ({ id: p.id, a: p.a, b: p.b }));
}

/** What a child process reports of itself. */
interface ChildCost {
  readonly maxRssKiB: number;
  readonly cpuSeconds: number;
}

function cost(): ChildCost {
  const usage = process.resourceUsage();
  return { maxRssKiB: usage.maxRSS, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
}

/** Child: writes the seeded checkpoint, `transformer/` and `text_encoder/` under `dir`. */
async function checkpointChild(dir: string): Promise<void> {
  const start = performance.now();
  const transformer = flux2ParameterShapes(transformerConfig).map((p) => ({ ...p, init: flux2Init(p.name, p.shape) }));
  const bytes =
    (await writeSeededCheckpoint(path.join(dir, 'transformer'), transformer, weights())) +
    (await writeSeededCheckpoint(path.join(dir, 'text_encoder'), qwen3ParameterPlan(textConfig).parameters, weights()));
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - start) / 1000, bytes, ...cost() }));
}

/** Child: builds one variant into `dir` from the checkpoint in `checkpoint`. */
async function buildChild(dir: string, variant: string, checkpoint: string): Promise<void> {
  const { quantization } = VARIANTS.find((v) => v.name === variant)!;
  const start = performance.now();
  must(
    await buildModelFolder({
      out: dir,
      name: `wide-${variant}`,
      tiny: false,
      seeds: {},
      transformer: { config: transformerConfig, weights: must(await checkpointWeights(path.join(checkpoint, 'transformer'))) },
      textEncoder: { config: textConfig, weights: must(await checkpointWeights(path.join(checkpoint, 'text_encoder'))) },
      tokenizerDir: defaultQwen3TokenizerDir(),
      externalData: true,
      textEncoderExternalData: true,
      ...(quantization ? { quantization } : {}),
    }),
  );
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - start) / 1000, ...cost() }));
}

/** Child: probes the folder `dir` with noise `seed`, writes the unit values to `file`. */
async function probeChild(dir: string, seed: number, file: string): Promise<void> {
  const folder = must(await openModelFolder(dir)());
  const tokenize = qwen3Tokenize(must(await loadQwen3Tokenizer(folder.tokenizerDir ?? undefined)), { maxLength: textConfig.maxLength });
  const result = must(await runProbe(folder, { pairs: pairs(), tokenize, seed, resolution: RESOLUTION, session: threads > 0 ? { intraOpThreads: threads } : {}, tappedDir: dir })());
  const { a, b, nPairs, nUnits, groups } = result.activations;
  const rows = (m: typeof a) => Array.from({ length: nPairs * nUnits }, (_, i) => m.get(Math.floor(i / nUnits), i % nUnits));
  await writeFile(file, JSON.stringify({ nPairs, nUnits, groups, a: rows(a), b: rows(b) }));
  process.stdout.write(JSON.stringify({ seconds: result.seconds, prompts: result.prompts.computed, ...cost() }));
}

/** Runs this script as a child with `args`; returns what it printed, parsed. */
function child<T>(args: readonly string[]): T {
  const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`child ${args.join(' ')} failed (${run.status ?? run.signal}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function bytesOf(dir: string, prefix: string): Promise<number> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(prefix));
  const sizes = await Promise.all(files.map(async (f) => (await stat(path.join(dir, f))).size));
  return sizes.reduce((s, n) => s + n, 0);
}

interface Units {
  readonly nPairs: number;
  readonly nUnits: number;
  readonly groups: readonly string[] | null;
  readonly a: number[];
  readonly b: number[];
}

interface Measured {
  readonly name: string;
  readonly units: Units;
  readonly results: ProbeResults;
  readonly line: string;
}

function statistics(units: Units): ProbeResults {
  const matrix = (data: number[]) => ({ data: Float64Array.from(data), shape: [units.nPairs, units.nUnits] });
  return must(pairedTestSync({ a: matrix(units.a), b: matrix(units.b) }, { permutations: FLIPS, splits: 0, seed: 0, precision: 'float32', ...(units.groups ? { groups: units.groups } : {}) })).results;
}

/** ||x - ref|| / ||ref|| over both conditions' unit values. */
function relativeRms(x: Units, ref: Units): number {
  let diff = 0;
  let norm = 0;
  for (const key of ['a', 'b'] as const) {
    for (let i = 0; i < ref[key].length; i++) {
      diff += ((x[key][i] as number) - (ref[key][i] as number)) ** 2;
      norm += (ref[key][i] as number) ** 2;
    }
  }
  return Math.sqrt(diff / norm);
}

function counts(results: ProbeResults): string {
  const fwer = results.units.pFwer.filter((p) => p !== null && p < 0.05).length;
  const past = results.thresholds.map((t) => `|${t.stat}| > ${t.value}: ${t.observed}`).join(', ');
  return `${past}, FWER p < 0.05: ${fwer}, max |t| ${results.maxAbsT.value?.toFixed(2)}`;
}

function comparison(x: Measured, ref: Measured): string {
  const t = x.results.units.t.map((v) => v ?? Number.NaN);
  const tRef = ref.results.units.t.map((v) => v ?? Number.NaN);
  const top = new Set(must(topUnitsByAbsT(x.results.units.t, TOP)));
  const overlap = must(topUnitsByAbsT(ref.results.units.t, TOP)).filter((u) => top.has(u)).length;
  const shift = t.map((v, i) => Math.abs(v - (tRef[i] as number))).sort((p, q) => p - q);
  return (
    `unit values ${(100 * relativeRms(x.units, ref.units)).toFixed(2)} % RMS from float32's; t vectors r = ${pearson(t, tRef).toFixed(4)}; ` +
    `top ${TOP} by |t| shared: ${overlap}; |t - t_float32| median ${shift[shift.length >> 1]?.toFixed(3)}, max ${shift.at(-1)?.toFixed(3)}`
  );
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-quantized-'));
  const measured: Measured[] = [];
  try {
    const prompts = 2 * pairCount;
    process.stdout.write(
      `quantized probe: FLUX.2 klein-4B width (D = 3072) with 1 joint + 2 single blocks, Qwen3-4B's first 3 layers as text encoder, ` +
        `${gaussian ? 'Gaussian' : `trained-like (tail ${TRAINED_LIKE_SHAPE.tail}, column spread ${TRAINED_LIKE_SHAPE.columnSpread})`} seeded weights; ` +
        `${pairCount} moral-plantain pairs (${prompts} prompts) at ${RESOLUTION.join(' x ')}, 512 text tokens, CPU execution provider\n`,
    );
    const checkpoint = path.join(root, 'checkpoint');
    const written = child<ChildCost & { seconds: number; bytes: number }>(['--checkpoint', checkpoint]);
    process.stdout.write(`checkpoint: ${gib(written.bytes)} of float32 safetensors written in ${written.seconds.toFixed(0)} s (seeded generation), peak RSS ${gib(written.maxRssKiB * 1024)}\n`);
    let floatDir = '';
    for (const variant of VARIANTS) {
      const dir = path.join(root, variant.name);
      const built = child<ChildCost & { seconds: number }>(['--build', dir, variant.name, checkpoint]);
      const [transformerBytes, textBytes] = [await bytesOf(dir, 'transformer.onnx'), await bytesOf(dir, 'text_encoder.onnx')];
      const probes = variant.name === 'float32' ? [0, 1] : [0];
      for (const seed of probes) {
        const file = path.join(root, `${variant.name}-seed${seed}.json`);
        const probed = child<ChildCost & { seconds: Record<string, number>; prompts: number }>(['--probe', dir, String(seed), file]);
        const units = JSON.parse(await readFile(file, 'utf8')) as Units;
        const name = seed === 0 ? variant.name : `float32, noise seed ${seed}`;
        const per = (s: number) => `${((s * 1000) / probed.prompts).toFixed(0)} ms`;
        const line =
          seed === 0
            ? `build from the checkpoint ${built.seconds.toFixed(0)} s, peak RSS ${gib(built.maxRssKiB * 1024)}; on disk transformer ${gib(transformerBytes)}, text encoder ${gib(textBytes)}; ` +
              `per prompt ${per(probed.seconds['encode']! + probed.seconds['transformer']!)} wall (text encoder ${per(probed.seconds['encode']!)}), ${per(probed.cpuSeconds)} CPU over the whole probe process; probe peak RSS ${gib(probed.maxRssKiB * 1024)}`
            : `per prompt ${per(probed.seconds['encode']! + probed.seconds['transformer']!)} wall`;
        const m: Measured = { name, units, results: statistics(units), line };
        measured.push(m);
        process.stdout.write(`${name}: ${line}\n  ${counts(m.results)}\n`);
      }
      if (variant.name === 'float32') floatDir = dir;
      else if (!keep) await rm(dir, { recursive: true, force: true });
    }
    if (!keep && floatDir) await rm(floatDir, { recursive: true, force: true });
    const ref = measured[0]!;
    process.stdout.write(`against float32 (noise seed 0), ${ref.results.nUnits} units, ${ref.results.nPairs} pairs:\n`);
    for (const m of measured.slice(1)) process.stdout.write(`  ${m.name}: ${comparison(m, ref)}\n`);
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
    else process.stdout.write(`kept ${root}\n`);
  }
}

if (process.argv[2] === '--checkpoint') await checkpointChild(process.argv[3]!);
else if (process.argv[2] === '--build') await mkdir(path.dirname(process.argv[3]!), { recursive: true }).then(() => buildChild(process.argv[3]!, process.argv[4]!, process.argv[5]!));
else if (process.argv[2] === '--probe') await probeChild(process.argv[3]!, Number(process.argv[4]), process.argv[5]!);
else await main();
