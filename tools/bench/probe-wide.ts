/**
 * The probe at real width: a FLUX.2 klein-4B-wide transformer (D = 3072, 24 heads x 128, text width
 * 7680) cut to 1 joint + 2 single blocks, seeded weights (about 2.6 GB float32, external data),
 * 256 image tokens (256 x 256 px) + 512 text tokens, prompt embeddings from a safetensors file
 * (no text encoder). The probe runs in a child process so its peak RSS is the probe's alone.
 * Prints build time, per-prompt time (batch 1 and 2) and the child's peak RSS.
 * THREADS sets ONNX Runtime's intra-op threads (default 0 = ONNX Runtime's default); PROMPTS pairs (default 2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSafetensors } from '@moral-plantain/formats';
import { buildModelFolder, flux2Presets, seededWeights } from '@moral-plantain/model-builder';
import { gaussianNoise, openModelFolder, runProbe } from '@moral-plantain/model-runtime';

const threads = Number(process.env['THREADS'] ?? 0);
const pairCount = Number(process.env['PAIRS'] ?? 2);

function must<T>(value: E.Either<unknown, T>): T {
  if (E.isLeft(value)) throw new Error(JSON.stringify(value.left));
  return value.right;
}

const pairs = Array.from({ length: pairCount }, (_, i) => ({ id: `p${i}`, a: `prompt a ${i}`, b: `prompt b ${i}` }));

async function probeChild(dir: string, batchSize: number): Promise<void> {
  const folder = must(await openModelFolder(dir)());
  const result = must(
    await runProbe(folder, { pairs, batchSize, resolution: [256, 256], session: threads > 0 ? { intraOpThreads: threads } : {}, tappedDir: dir })(),
  );
  process.stdout.write(JSON.stringify({ seconds: result.seconds, prompts: result.prompts.computed, units: result.activations.nUnits, maxRssKiB: process.resourceUsage().maxRSS }));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-wide-'));
  try {
    const config = { ...flux2Presets['klein-4b'], num_layers: 1, num_single_layers: 2 };
    const buildStart = performance.now();
    const built = must(await buildModelFolder({ out: dir, name: 'wide', tiny: false, seeds: { transformer: 0 }, transformer: { config, weights: seededWeights({ seed: 0 }) }, textEncoder: null, tokenizerDir: null }));
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const prompts = pairs.flatMap((p) => [p.a, p.b]);
    const embeds = new Float32Array(prompts.length * 512 * 7680);
    prompts.forEach((_, i) => embeds.set(gaussianNoise(100 + i, 512 * 7680), i * 512 * 7680));
    await writeFile(path.join(dir, 'prompt_embeds.safetensors'), encodeSafetensors(new Map([['prompt_embeds', { dtype: 'F32', shape: [prompts.length, 512, 7680], bytes: new Uint8Array(embeds.buffer) }]]), { prompts: JSON.stringify(prompts) }));
    const folder = must(await openModelFolder(dir)());
    const dataBytes = folder.transformer.externalData.reduce((s, d) => s + d.bytes, 0);
    process.stdout.write(`probe at width 3072 (1 joint + 2 single blocks, text width 7680): 256 image + 512 text tokens, ${prompts.length} prompts, CPU execution provider (${threads > 0 ? threads : 'default'} intra-op threads)\n`);
    process.stdout.write(`build: ${buildSeconds.toFixed(1)} s for ${(dataBytes / 2 ** 30).toFixed(2)} GiB of seeded float32 weights (${built.manifest.transformer.file} + external data)\n`);
    for (const batch of [1, 2]) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--probe', dir, String(batch)], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
      if (child.status !== 0) throw new Error(child.stderr);
      const r = JSON.parse(child.stdout) as { seconds: Record<string, number>; prompts: number; units: number; maxRssKiB: number };
      const per = (s: number) => ((s * 1000) / r.prompts).toFixed(0);
      process.stdout.write(
        `batch ${batch}: ${per(r.seconds['transformer']! + r.seconds['encode']!)} ms per prompt (transformer), ${per(r.seconds['total']!)} ms per prompt with tapping ${(r.seconds['tap']! * 1000).toFixed(0)} ms and session load ${(r.seconds['load']! * 1000).toFixed(0)} ms amortised over ${r.prompts} prompts; ${r.units} units; peak RSS ${(r.maxRssKiB / 2 ** 20).toFixed(2)} GiB\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--probe') await probeChild(process.argv[3]!, Number(process.argv[4]));
else await main();
