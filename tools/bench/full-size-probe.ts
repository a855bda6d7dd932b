/**
 * The probe at the real model's size on the CPU provider: builds FLUX.2 klein 4B at full
 * architecture with seeded random weights (`model build --preset klein-4b --random`, streamed; the
 * Qwen3-4B text encoder up to the last hidden state the probe reads, layer 27), optionally
 * weight-only quantized (`--quantize int8|int4`, passed to `model build` when it has that option),
 * then runs the probe on a few pairs (default 2) at 512 x 512 with the CLI. Prints the build time,
 * the folder's size on disk, the peak RSS of each phase (build; then each stage the run reports:
 * tap, load, encode, prompts/transformer, statistics, report) sampled from /proc every 200 ms, the
 * per-prompt times of text encoding and the transformer (run.json), and checks that every one of
 * the run's units (16,320 for klein 4B) came out finite in activations.safetensors.
 *
 * Both steps run as child processes of the built CLI, so each figure is that process's alone.
 * Usage (from the repository root, after `npx nx run @moral-plantain/cli:build`):
 *   node --conditions=@moral-plantain/source --import tsx tools/bench/full-size-probe.ts \
 *     [--preset klein-4b|tiny] [--quantize none|int8|int4] [--pairs 2] [--resolution 512] \
 *     [--out DIR] [--keep]
 * `--preset tiny` is a dry run of the same steps in seconds. `--out` (default
 * $TMPDIR/full-size-probe-<preset>-<quantize>) holds model/, pairs.yaml and run/; `--keep` reuses
 * a model/ already built there (otherwise an existing one is an error: nothing is deleted).
 * klein 4B in float32 needs about 28 GB of disk for the build (15.5 GB transformer, 12.5 GB text encoder).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { builtCli, REPO_ROOT } from './support/built-cli.js';

/** Units of klein 4B's probe: 5 joint + 20 single blocks' attention output projections, 16 channels a unit. */
const KLEIN_4B_UNITS = 16_320;
const PRESETS = ['klein-4b', 'tiny'] as const;
const QUANTIZE = ['none', 'int8', 'int4'] as const;

interface Options {
  readonly preset: (typeof PRESETS)[number];
  readonly quantize: (typeof QUANTIZE)[number];
  readonly pairs: number;
  readonly resolution: number;
  readonly out: string;
  readonly keep: boolean;
}

function parseOptions(args: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const v = args[at + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const known = new Set(['--preset', '--quantize', '--pairs', '--resolution', '--out', '--keep']);
  const unknown = args.find((a, i) => a.startsWith('--') && !known.has(a) && !(i > 0 && known.has(args[i - 1] ?? '') && args[i - 1] !== '--keep'));
  if (unknown) throw new Error(`unknown option ${unknown}`);
  const preset = value('--preset') ?? 'klein-4b';
  const quantize = value('--quantize') ?? 'none';
  if (!(PRESETS as readonly string[]).includes(preset)) throw new Error(`--preset is ${preset}, expected one of ${PRESETS.join(', ')}`);
  if (!(QUANTIZE as readonly string[]).includes(quantize)) throw new Error(`--quantize is ${quantize}, expected one of ${QUANTIZE.join(', ')}`);
  const pairs = Number(value('--pairs') ?? 2);
  const resolution = Number(value('--resolution') ?? 512);
  if (!Number.isInteger(pairs) || pairs < 2 || pairs > 25) throw new Error('--pairs must be a whole number from 2 to 25');
  if (!Number.isInteger(resolution) || resolution < 16 || resolution % 16 !== 0) throw new Error('--resolution must be a multiple of 16');
  const out = path.resolve(value('--out') ?? path.join(tmpdir(), `full-size-probe-${preset}-${quantize}`));
  return { preset: preset as Options['preset'], quantize: quantize as Options['quantize'], pairs, resolution, out, keep: args.includes('--keep') };
}

/** What a phase cost: wall time and the peak resident memory of the process, overall and per reported stage. */
interface PhaseRun {
  readonly seconds: number;
  readonly peakKiB: number;
  /** Largest RSS sampled while the process reported each stage (`tap`, `load`, `prompts`, ...), in the order first seen. */
  readonly stagePeakKiB: ReadonlyMap<string, number>;
  readonly stdout: string;
}

function procStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** Runs the CLI with `args`, sampling its RSS every 200 ms and attributing each sample to the stage its progress lines last named. */
function runCli(cli: string, args: readonly string[], label: string): Promise<PhaseRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let stage = 'start';
    let peak = 0;
    const stagePeak = new Map<string, number>();
    const sample = () => {
      const s = child.pid === undefined ? null : procStatus(child.pid);
      if (!s) return;
      peak = Math.max(peak, s.hwm, s.rss);
      stagePeak.set(stage, Math.max(stagePeak.get(stage) ?? 0, s.rss));
    };
    const timer = setInterval(sample, 200);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split(/[\r\n]+/)) {
        const match = /^([a-z][a-z -]*): \d+\/\d+/i.exec(line.trim());
        if (match && match[1] !== stage) {
          sample();
          stage = match[1] ?? stage;
        }
      }
    });
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`${label} exited with ${code ?? signal}:\n${stderrTail.trim()}`));
      resolve({ seconds: (performance.now() - start) / 1000, peakKiB: peak, stagePeakKiB: stagePeak, stdout });
    });
  });
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? folderBytes(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size), 0);
}

const gib = (kib: number) => `${(kib / 2 ** 20).toFixed(2)} GiB`;

/** Whether this checkout's `model build` has the `--quantize` option. */
function buildHasQuantize(cli: string): boolean {
  const help = spawnSync(process.execPath, [cli, 'model', 'build', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return /--quantize\b/.test(help.stdout);
}

/** The first `n` pairs of the built-in moral-plantain set, as a stimulus file (JSON is YAML) with only their categories. */
function writePairs(cli: string, n: number, file: string): void {
  const shown = spawnSync(process.execPath, [cli, 'stimuli', 'show', 'moral-plantain', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (shown.status !== 0) throw new Error(`stimuli show failed: ${shown.stderr}`);
  const set = JSON.parse(shown.stdout) as { pairs: { category: string }[]; categories?: string[] } & Record<string, unknown>;
  const pairs = set.pairs.filter((_, i) => i % Math.floor(set.pairs.length / n) === 0).slice(0, n);
  const categories = [...new Set(pairs.map((p) => p.category))];
  const fields = ['format', 'version', 'axis', 'contrast', 'conditions', 'language', 'license'];
  const kept = Object.fromEntries(fields.filter((f) => f in set).map((f) => [f, set[f]]));
  const subset = { ...kept, name: 'full-size-probe-pairs', description: `${n} pairs of the moral-plantain set, for the full-size benchmark`, example: true, categories, pairs };
  writeFileSync(file, `${JSON.stringify(subset, null, 2)}\n`);
}

/** Values of activations.safetensors that are not finite, and how many units and pairs it holds. */
function checkActivations(file: string): { pairs: number; units: number; nonFinite: number } {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  let nonFinite = 0;
  let shape: number[] = [];
  for (const name of ['a', 'b']) {
    const entry = header[name];
    if (!entry || entry.dtype !== 'F32') throw new Error(`${file} has no float32 tensor ${name}`);
    shape = entry.shape;
    const view = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength + entry.data_offsets[0], entry.data_offsets[1] - entry.data_offsets[0]);
    for (let i = 0; i < view.byteLength; i += 4) if (!Number.isFinite(view.getFloat32(i, true))) nonFinite++;
  }
  return { pairs: shape[0] ?? 0, units: shape[1] ?? 0, nonFinite };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const cli = builtCli();
  if (E.isLeft(cli)) throw new Error(cli.left);
  if (options.quantize !== 'none' && !buildHasQuantize(cli.right)) {
    throw new Error(`--quantize ${options.quantize}: this checkout's \`moral-plantain model build\` has no --quantize option yet; run with --quantize none`);
  }
  const model = path.join(options.out, 'model');
  const runDir = path.join(options.out, 'run');
  mkdirSync(options.out, { recursive: true });
  process.stdout.write(
    `full-size probe: preset ${options.preset}, weights ${options.quantize === 'none' ? 'float32' : options.quantize}, ${options.pairs} pairs at ${options.resolution} x ${options.resolution}, CPU execution provider; folder ${options.out}\n`,
  );

  if (existsSync(path.join(model, 'model.json')) && options.keep) {
    process.stdout.write(`build: reusing ${model} (--keep)\n`);
  } else {
    if (existsSync(model)) throw new Error(`${model} exists: remove it, or pass --keep to reuse a finished build`);
    const quantize = options.quantize === 'none' ? [] : ['--quantize', options.quantize];
    const build = await runCli(cli.right, ['model', 'build', '--out', model, '--preset', options.preset, '--random', '--seed', '0', ...quantize], 'model build');
    const byStage = [...build.stagePeakKiB].filter(([stage]) => stage !== 'start');
    process.stdout.write(`build: ${build.seconds.toFixed(1)} s, peak RSS ${gib(build.peakKiB)}${byStage.length > 0 ? ` (${byStage.map(([stage, kib]) => `${stage} ${gib(kib)}`).join(', ')})` : ''}\n`);
  }
  const manifest = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8')) as Record<string, unknown>;
  const files = readdirSync(model).map((f) => `${f} ${(statSync(path.join(model, f)).size / 2 ** 30).toFixed(2)} GiB`);
  process.stdout.write(`disk: ${(folderBytes(model) / 2 ** 30).toFixed(2)} GiB (${files.filter((f) => !f.endsWith(' 0.00 GiB')).join(', ')})${manifest['quantization'] === undefined ? '' : `; quantization ${JSON.stringify(manifest['quantization'])}`}\n`);

  const pairsFile = path.join(options.out, 'pairs.yaml');
  writePairs(cli.right, options.pairs, pairsFile);
  rmSync(runDir, { recursive: true, force: true });
  const run = await runCli(
    cli.right,
    ['run', '--model', model, '--stimuli', pairsFile, '--resolution', String(options.resolution), '--device', 'cpu', '--out', runDir, '--no-resume', '--permutations', '100', '--splits', '0'],
    'run',
  );
  const record = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { prompts: { computed: number }; timings: { probeStages: Record<string, number> } };
  const stages = record.timings.probeStages;
  const prompts = record.prompts.computed;
  const perPrompt = (s: number | undefined) => (s === undefined ? 'n/a' : `${(s / prompts).toFixed(s / prompts < 10 ? 2 : 1)} s`);
  process.stdout.write(`run: ${run.seconds.toFixed(1)} s wall, peak RSS ${gib(run.peakKiB)}; session load ${stages['load']?.toFixed(1)} s; per prompt: encode ${perPrompt(stages['encode'])}, transformer ${perPrompt(stages['transformer'])} (${prompts} prompts)\n`);
  process.stdout.write(`peak RSS by stage of the run: ${[...run.stagePeakKiB].map(([stage, kib]) => `${stage} ${gib(kib)}`).join(', ')}\n`);

  const activations = checkActivations(path.join(runDir, 'activations.safetensors'));
  const expectedUnits = options.preset === 'klein-4b' ? KLEIN_4B_UNITS : activations.units;
  const ok = activations.nonFinite === 0 && activations.units === expectedUnits && activations.pairs === options.pairs;
  process.stdout.write(
    `activations: ${activations.pairs} pairs x ${activations.units} units${options.preset === 'klein-4b' ? ` (expected ${KLEIN_4B_UNITS})` : ''}, ${activations.nonFinite} values not finite: ${ok ? 'OK' : 'FAILED'}\n`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`full-size-probe: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
