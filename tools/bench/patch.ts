/**
 * The causal test (`moral-plantain patch`), CPU execution provider:
 * 1. the whole `patch` on the embedded tiny model with default settings (the top 10 and 30 units by
 *    |t|, 200 random sets each, 25 pairs, both directions: 20,150 forward passes, one per call as the run had),
 *    timed as a process after an untimed `run` into the same folder; then the same patch again,
 *    every pair from the cache;
 * 2. the cost of one patched forward pass per batch size on the tiny model (one call evaluates many
 *    random sets: a per-sample scale input on every tapped input);
 * 3. the per-pair cost at real width: a transformer of FLUX.2 klein 4B's width (D = 3072, 24 heads,
 *    text width 7680) cut to 1 joint + 2 single blocks, 256 image + 512 text tokens, per patched
 *    sample at batch 1, 2 and 4, and a pair's default work (2 + 5 k x 201 sets x 2 directions =
 *    2,012 passes) at the fastest. Runs in a child process for its peak RSS.
 * Needs the built CLI (npx nx run cli:build). SKIP_WIDE=1 leaves out part 3; SKIP_WHOLE=1 part 1.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSafetensors } from '@moral-plantain/formats';
import { buildModelFolder, buildTinyModelFolder, flux2Presets, seededWeights } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, gaussianNoise, loadQwen3Tokenizer, openModelFolder, openPatchRunner, qwen3Tokenize, type PatchRunner, type PatchSample } from '@moral-plantain/model-runtime';
import { builtCli, REPO_ROOT } from './support/built-cli.js';
import { timeNode } from './support/timed-process.js';

function must<T>(value: E.Either<unknown, T>): T {
  if (E.isLeft(value)) throw new Error(typeof value.left === 'string' ? value.left : JSON.stringify(value.left));
  return value.right;
}

/** Wall and CPU milliseconds (this process, ONNX Runtime's threads included) per sample of `runner.run` at one batch size, over `calls` calls after a warm-up call. */
async function perSample(runner: PatchRunner, prompts: readonly string[], batch: number, calls: number): Promise<{ wall: number; cpu: number }> {
  const embedded = must(await runner.embed(prompts)());
  const units = runner.manifest.totalUnits;
  const samples: PatchSample[] = Array.from({ length: batch }, (_, i) => ({ prompt: i % prompts.length, scales: Float32Array.from({ length: units }, (_, u) => (u % 7 === i % 7 ? 1.5 : 1)) }));
  must(await runner.run(embedded, samples)());
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let c = 0; c < calls; c++) must(await runner.run(embedded, samples)());
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / (calls * batch), cpu: (cpu.user + cpu.system) / 1000 / (calls * batch) };
}

/** `node ARGS` under /usr/bin/time: wall seconds, CPU seconds (user + system, every thread) and stdout. */
function timedWithCpu(args: readonly string[], scratch: string): { wall: number; cpu: number; stdout: string } {
  const times = path.join(scratch, 'time.txt');
  const child = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', times, process.execPath, ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${child.stderr}`);
  const [wall, user, system] = readFileSync(times, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number];
  return { wall, cpu: user + system, stdout: child.stdout };
}

async function whole(): Promise<void> {
  const cli = must(builtCli());
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-patch-'));
  try {
    const out = path.join(dir, 'run');
    const probe = timeNode([cli, 'run', '--out', out, '--json'], REPO_ROOT);
    const first = timedWithCpu([cli, 'patch', out, '--json'], dir);
    const summary = JSON.parse(first.stdout) as { samples: number; batchSize: number; seconds: Record<string, number>; effects: { k: number }[] };
    const again = timedWithCpu([cli, 'patch', out, '--json'], dir);
    process.stdout.write(`whole patch on the embedded tiny model, default settings (k = ${summary.effects.map((e) => e.k).join(', ')}; 200 random sets; 25 pairs; batch ${summary.batchSize}):\n`);
    process.stdout.write(`  run (not part of it): ${(probe.ms / 1000).toFixed(1)} s\n`);
    process.stdout.write(
      `  patch: ${first.wall.toFixed(1)} s wall, ${first.cpu.toFixed(1)} s CPU, as a process, for ${summary.samples.toLocaleString('en-US')} forward passes (${((summary.seconds['patch']! * 1000) / summary.samples).toFixed(1)} ms wall and ${((first.cpu * 1000) / summary.samples).toFixed(1)} ms CPU each; setup ${summary.seconds['setup']!.toFixed(1)} s, outputs ${summary.seconds['outputs']!.toFixed(1)} s)\n`,
    );
    process.stdout.write(`  the same patch again, every pair from the cache: ${again.wall.toFixed(1)} s wall, ${again.cpu.toFixed(1)} s CPU\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tinyBatches(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-patch-tiny-'));
  try {
    must(await buildTinyModelFolder(dir, defaultQwen3TokenizerDir()));
    const folder = must(await openModelFolder(dir)());
    const tokenizer = must(await loadQwen3Tokenizer(folder.tokenizerDir ?? undefined));
    const runner = must(await openPatchRunner(folder, { tokenize: qwen3Tokenize(tokenizer), seed: 0, resolution: [128, 128], tappedDir: dir })());
    const prompts = ['A man helps a stranger carry a heavy box.', 'A man ignores a stranger carrying a heavy box.'];
    const cells: string[] = [];
    for (const batch of [1, 4, 16, 64]) {
      const t = await perSample(runner, prompts, batch, Math.max(2, Math.round(64 / batch)));
      cells.push(`batch ${batch}: ${t.wall.toFixed(1)} ms (${t.cpu.toFixed(1)} ms CPU)`);
    }
    await runner.release();
    process.stdout.write(`tiny model, one patched forward pass (noise_pred + every unit's RMS), per sample: ${cells.join(', ')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function wideChild(dir: string): Promise<void> {
  const folder = must(await openModelFolder(dir)());
  const runner = must(await openPatchRunner(folder, { seed: 0, resolution: [256, 256], tappedDir: dir })());
  const timings: Record<string, { wall: number; cpu: number }> = {};
  for (const batch of [1, 2, 4]) timings[batch] = await perSample(runner, ['prompt a', 'prompt b'], batch, Math.max(1, Math.round(4 / batch)));
  await runner.release();
  process.stdout.write(JSON.stringify({ timings, units: runner.manifest.totalUnits, maxRssKiB: process.resourceUsage().maxRSS }));
}

async function wide(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-patch-wide-'));
  try {
    const config = { ...flux2Presets['klein-4b'], num_layers: 1, num_single_layers: 2 };
    must(await buildModelFolder({ out: dir, name: 'wide', tiny: false, seeds: { transformer: 0 }, transformer: { config, weights: seededWeights({ seed: 0 }) }, textEncoder: null, tokenizerDir: null }));
    const prompts = ['prompt a', 'prompt b'];
    const embeds = new Float32Array(2 * 512 * 7680);
    prompts.forEach((_, i) => embeds.set(gaussianNoise(100 + i, 512 * 7680), i * 512 * 7680));
    await writeFile(path.join(dir, 'prompt_embeds.safetensors'), encodeSafetensors(new Map([['prompt_embeds', { dtype: 'F32', shape: [2, 512, 7680], bytes: new Uint8Array(embeds.buffer) }]]), { prompts: JSON.stringify(prompts) }));
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--wide', dir], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(child.stderr);
    const r = JSON.parse(child.stdout) as { timings: Record<string, { wall: number; cpu: number }>; units: number; maxRssKiB: number };
    const best = Math.min(...Object.values(r.timings).map((t) => t.wall));
    const bestCpu = Math.min(...Object.values(r.timings).map((t) => t.cpu));
    const perPair = 2 + 5 * 201 * 2;
    process.stdout.write(
      `width 3072 (1 joint + 2 single blocks, ${r.units} units; 256 image + 512 text tokens), per patched sample: ${Object.entries(r.timings)
        .map(([batch, t]) => `batch ${batch}: ${t.wall.toFixed(0)} ms (${t.cpu.toFixed(0)} ms CPU)`)
        .join(', ')}; peak RSS ${(r.maxRssKiB / 2 ** 20).toFixed(2)} GiB\n`,
    );
    process.stdout.write(`  one pair at the default settings (${perPair.toLocaleString('en-US')} passes): ${((perPair * best) / 1000 / 60).toFixed(1)} min wall (${((perPair * bestCpu) / 1000 / 60).toFixed(1)} CPU-minutes) at the fastest batch size\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--wide') await wideChild(process.argv[3]!);
else {
  process.stdout.write(`moral-plantain patch, CPU execution provider; load average at the start ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores\n`);
  if (process.env['SKIP_WHOLE'] !== '1') await whole();
  await tinyBatches();
  if (process.env['SKIP_WIDE'] !== '1') await wide();
}
