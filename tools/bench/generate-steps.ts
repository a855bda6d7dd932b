/**
 * Image generation speed and memory, as `moral-plantain generate` samples: the tiny model (128 x 128
 * px, 64 image + 512 text tokens) and a wide config (D = 3072, 24 heads x 128, text width 7680, cut
 * to 1 joint + 2 single blocks, the klein VAE at full width, 256 x 256 px = 256 image tokens,
 * prompt embeddings from a file). Each generation runs in a child process so its peak RSS is its
 * own. Prints milliseconds per denoising step with classifier-free guidance (two transformer
 * passes) and without (one pass, as distilled checkpoints sample), the VAE decode, and peak RSS.
 * A one-step image is drawn first and not timed (session start-up and first-run allocation).
 * STEPS sets the steps per image (default 4); THREADS ONNX Runtime's intra-op threads (default 0 =
 * its default); WIDE=0 skips the wide config.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSafetensors } from '@moral-plantain/formats';
import { buildModelFolder, buildTinyModelFolder, flux2Presets, flux2VaePresets, seededWeights } from '@moral-plantain/model-builder';
import { createImageGenerator, defaultQwen3TokenizerDir, gaussianNoise, loadQwen3Tokenizer, NEGATIVE_PROMPT, openModelFolder, qwen3Tokenize } from '@moral-plantain/model-runtime';

const steps = Number(process.env['STEPS'] ?? 4);
const threads = Number(process.env['THREADS'] ?? 0);
const PROMPT = 'A photo of a young man in a red jacket carrying grocery bags up the stairs for an elderly woman.';

function must<T>(value: E.Either<unknown, T>): T {
  if (E.isLeft(value)) throw new Error(JSON.stringify(value.left));
  return value.right;
}

/** In the child: one image with guidance and one without, timed per step. */
async function generateChild(dir: string, side: number, withTokenizer: boolean): Promise<void> {
  const folder = must(await openModelFolder(dir)());
  const tokenize = withTokenizer ? qwen3Tokenize(must(await loadQwen3Tokenizer())) : undefined;
  const generator = createImageGenerator(folder, { ...(tokenize ? { tokenize } : {}), session: threads > 0 ? { intraOpThreads: threads } : {} });
  const embeddings = must(await generator.embed([PROMPT, NEGATIVE_PROMPT])());
  await generator.releaseTextEncoder();
  const out: Record<string, number> = {};
  must(await generator.generate(embeddings.get(PROMPT)!, embeddings.get(NEGATIVE_PROMPT)!, { steps: 1, guidance: 4, seed: 1, resolution: [side, side] }, null)());
  for (const guidance of [4, 1]) {
    const made = must(await generator.generate(embeddings.get(PROMPT)!, embeddings.get(NEGATIVE_PROMPT)!, { steps, guidance, seed: 0, resolution: [side, side] }, null)());
    out[guidance > 1 ? 'guidedStep' : 'step'] = made.seconds.steps / steps;
    out['decode'] = made.seconds.decode;
  }
  await generator.release();
  process.stdout.write(JSON.stringify({ ...out, maxRssKiB: process.resourceUsage().maxRSS }));
}

function measure(label: string, dir: string, side: number, withTokenizer: boolean): void {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--generate', dir, String(side), withTokenizer ? '1' : '0'], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(child.stderr);
  const r = JSON.parse(child.stdout) as { guidedStep: number; step: number; decode: number; maxRssKiB: number };
  const ms = (s: number) => (s * 1000).toFixed(0);
  process.stdout.write(
    `${label}: ${ms(r.guidedStep)} ms per step with guidance (2 passes), ${ms(r.step)} ms without; VAE decode ${ms(r.decode)} ms; peak RSS ${(r.maxRssKiB / 2 ** 20).toFixed(2)} GiB\n`,
  );
}

async function main(): Promise<void> {
  process.stdout.write(`generation, ${steps} steps per image, seed 0, CPU execution provider (${threads > 0 ? threads : 'default'} intra-op threads)\n`);
  const tiny = await mkdtemp(path.join(tmpdir(), 'bench-generate-tiny-'));
  const wide = await mkdtemp(path.join(tmpdir(), 'bench-generate-wide-'));
  try {
    must(await buildTinyModelFolder(tiny, defaultQwen3TokenizerDir()));
    measure('tiny model, 128 x 128 px (64 image + 512 text tokens), text encoder included', tiny, 128, true);
    if (process.env['WIDE'] === '0') return;

    const config = { ...flux2Presets['klein-4b'], num_layers: 1, num_single_layers: 2 };
    const buildStart = performance.now();
    must(
      await buildModelFolder({
        out: wide,
        name: 'wide',
        tiny: false,
        seeds: { transformer: 0, vae: 0 },
        transformer: { config, weights: seededWeights({ seed: 0 }) },
        textEncoder: null,
        vae: { config: flux2VaePresets.klein, weights: seededWeights({ seed: 0 }) },
        tokenizerDir: null,
      }),
    );
    const prompts = [PROMPT, NEGATIVE_PROMPT];
    const embeds = new Float32Array(prompts.length * 512 * 7680);
    prompts.forEach((_, i) => embeds.set(gaussianNoise(100 + i, 512 * 7680), i * 512 * 7680));
    await writeFile(path.join(wide, 'prompt_embeds.safetensors'), encodeSafetensors(new Map([['prompt_embeds', { dtype: 'F32', shape: [2, 512, 7680], bytes: new Uint8Array(embeds.buffer) }]]), { prompts: JSON.stringify(prompts) }));
    process.stdout.write(`wide build (transformer 2.6 GiB + klein VAE, seeded float32): ${((performance.now() - buildStart) / 1000).toFixed(1)} s\n`);
    measure('wide config (D = 3072, 1 joint + 2 single blocks, klein VAE), 256 x 256 px (256 image + 512 text tokens), embeddings from a file', wide, 256, false);
  } finally {
    await rm(tiny, { recursive: true, force: true });
    await rm(wide, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--generate') await generateChild(process.argv[3]!, Number(process.argv[4]), process.argv[5] === '1');
else await main();
