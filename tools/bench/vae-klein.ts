/**
 * The FLUX.2 VAE at klein's width (block channels 128, 256, 512, 512; 32 latent channels; seeded
 * float32 weights, 84 M parameters): encode and decode time at 512 x 512 and 1024 x 1024 pixels,
 * each size in its own child process (its peak RSS is that size's), the CPU execution provider.
 * SIZES sets the sides (default 512,1024); RUNS the timed runs after one warm-up (default 2);
 * THREADS ONNX Runtime's intra-op threads (default 0 = its default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { buildFlux2VaeFiles, flux2VaePresets, flux2VaeWeightBytes, seededWeights } from '@moral-plantain/model-builder';

const sizes = (process.env['SIZES'] ?? '512,1024').split(',').map(Number);
const runs = Number(process.env['RUNS'] ?? 2);
const threads = Number(process.env['THREADS'] ?? 0);

async function child(dir: string, side: number): Promise<void> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], ...(threads > 0 ? { intraOpNumThreads: threads } : {}) };
  const encoder = await ort.InferenceSession.create(path.join(dir, 'vae_encoder.onnx'), options);
  const decoder = await ort.InferenceSession.create(path.join(dir, 'vae_decoder.onnx'), options);
  const pixels = new Float32Array(3 * side * side).map((_, i) => Math.sin(i / 997));
  const timed = async (fn: () => Promise<unknown>): Promise<number[]> => {
    await fn();
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await fn();
      out.push((performance.now() - start) / 1000);
    }
    return out;
  };
  let latents: ort.Tensor | undefined;
  const encode = await timed(async () => {
    latents = (await encoder.run({ image: new ort.Tensor('float32', pixels, [1, 3, side, side]) }))['latents'] as ort.Tensor;
  });
  const decode = await timed(async () => decoder.run({ latents: latents! }));
  process.stdout.write(JSON.stringify({ encode, decode, maxRssKiB: process.resourceUsage().maxRSS }));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-vae-'));
  try {
    const config = flux2VaePresets.klein;
    const start = performance.now();
    const built = await buildFlux2VaeFiles(config, seededWeights({ seed: 0 }), { dir });
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    process.stdout.write(
      `klein VAE, seeded float32 weights (${(flux2VaeWeightBytes(config) / 2 ** 20).toFixed(0)} MiB), built in ${((performance.now() - start) / 1000).toFixed(1)} s; CPU execution provider (${threads > 0 ? threads : 'default'} intra-op threads), median of ${runs} runs after a warm-up\n`,
    );
    for (const side of sizes) {
      const result = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', dir, String(side)], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
      if (result.status !== 0) throw new Error(result.stderr);
      const r = JSON.parse(result.stdout) as { encode: number[]; decode: number[]; maxRssKiB: number };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
      process.stdout.write(`${side} x ${side}: encode ${median(r.encode).toFixed(2)} s, decode ${median(r.decode).toFixed(2)} s (${(side / 16) ** 2} tokens); peak RSS ${(r.maxRssKiB / 2 ** 20).toFixed(2)} GiB\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
else await main();
