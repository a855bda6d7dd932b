/**
 * The probe on the tiny embedded model (FLUX.2 architecture, D = 64, 2 joint + 4 single blocks;
 * tiny Qwen3 over the real vocabulary; 8 x 8 image + 512 text tokens), CPU execution provider:
 * 1. end to end per prompt (tokenize, text encoder, tapped transformer, no cache) at batch 1 and 4;
 * 2. tapped vs untapped transformer time on the same inputs, alternating runs: the untapped graph
 *    fetching noise_pred, the tapped graph fetching noise_pred + every tap (the same work plus the
 *    taps), and the tapped graph fetching only the taps (what the runner does). Overhead = median
 *    over pairs of tapped/untapped - 1, which cancels the drift of a shared machine.
 * THREADS sets ONNX Runtime's intra-op threads (default 1; 0 = ONNX Runtime's default).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { buildModelFolder, flux2Presets, qwen3Presets, seededWeights } from '@moral-plantain/model-builder';
import {
  createSession,
  defaultQwen3TokenizerDir,
  feedTensor,
  gaussianNoise,
  imageIds,
  loadQwen3Tokenizer,
  openModelFolder,
  qwen3Tokenize,
  runProbe,
  runSession,
  textIds,
  type ModelSession,
} from '@moral-plantain/model-runtime';

const threads = Number(process.env['THREADS'] ?? 1);
const pairsCount = Number(process.env['PAIRS'] ?? 8);
const runs = Number(process.env['RUNS'] ?? 40);

function must<T>(value: E.Either<unknown, T>): T {
  if (E.isLeft(value)) throw new Error(JSON.stringify(value.left));
  return value.right;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const session = threads > 0 ? { intraOpThreads: threads, interOpThreads: 1 } : {};
  const buildStart = performance.now();
  const built = must(
    await buildModelFolder({
      out: await mkdtemp(path.join(tmpdir(), 'bench-tiny-')),
      name: 'tiny',
      tiny: true,
      seeds: { transformer: 0, textEncoder: 0 },
      transformer: { config: flux2Presets.tiny, weights: seededWeights({ seed: 0 }) },
      textEncoder: { config: qwen3Presets.tiny, weights: seededWeights({ seed: 0 }) },
      tokenizerDir: defaultQwen3TokenizerDir(),
    }),
  );
  const buildMs = performance.now() - buildStart;
  const folder = must(await openModelFolder(built.dir)());
  const tokenize = qwen3Tokenize(must(await loadQwen3Tokenizer(folder.tokenizerDir ?? undefined)));
  const pairs = Array.from({ length: pairsCount }, (_, i) => ({ id: `p${i}`, a: `Someone helps a stranger in need, case ${i}.`, b: `Someone hurts a stranger in need, case ${i}.` }));
  process.stdout.write(`probe on the tiny model: CPU execution provider (${threads > 0 ? threads : 'default'} intra-op threads), ${pairs.length * 2} prompts, 8 x 8 image + 512 text tokens\n`);
  process.stdout.write(`model folder build (transformer + text encoder + tokenizer files): ${buildMs.toFixed(0)} ms\n`);
  for (const batchSize of [1, 4]) {
    const result = must(await runProbe(folder, { pairs, tokenize, batchSize, session })());
    const s = result.seconds;
    const n = result.prompts.computed;
    process.stdout.write(
      `batch ${batchSize}: ${((s.total * 1000) / n).toFixed(1)} ms per prompt end to end (total ${s.total.toFixed(2)} s: tap ${(s.tap * 1000).toFixed(0)} ms, load ${(s.load * 1000).toFixed(0)} ms, text encoder ${((s.encode * 1000) / n).toFixed(1)} ms/prompt, transformer ${((s.transformer * 1000) / n).toFixed(1)} ms/prompt), ${result.activations.nUnits} units\n`,
    );
  }

  const tapped = must(await runProbe(folder, { pairs: pairs.slice(0, 1), tokenize, session })()).tappedModel;
  const plain = must(await createSession(folder.transformer.path, session)());
  const withTaps = must(await createSession(tapped, session)());
  const feeds = (s: ModelSession) => {
    const spec = (name: string) => s.inputs.find((i) => i.name === name)!.type;
    const t = (name: string, values: Float32Array, dims: number[]) => must(feedTensor(spec(name), values, dims));
    return {
      hidden_states: t('hidden_states', gaussianNoise(0, 64 * 128), [1, 64, 128]),
      encoder_hidden_states: t('encoder_hidden_states', gaussianNoise(1, 512 * 96), [1, 512, 96]),
      timestep: t('timestep', Float32Array.of(1), [1]),
      img_ids: t('img_ids', imageIds(8, 8), [64, 4]),
      txt_ids: t('txt_ids', textIds(512), [512, 4]),
    };
  };
  const tapOutputs = withTaps.outputs.map((o) => o.name).filter((n) => n.startsWith('tap/'));
  const variants: [string, ModelSession, string[]][] = [
    ['untapped (noise_pred)', plain, ['noise_pred']],
    ['tapped (noise_pred + taps)', withTaps, ['noise_pred', ...tapOutputs]],
    ['tapped (taps only, as the runner)', withTaps, tapOutputs],
  ];
  const times: number[][] = variants.map(() => []);
  for (let r = 0; r < runs + 3; r++) {
    for (const [i, [, s, outputs]] of variants.entries()) {
      const f = feeds(s);
      const start = performance.now();
      must(await runSession(s, f, outputs)());
      if (r >= 3) times[i]!.push(performance.now() - start);
    }
  }
  process.stdout.write(`transformer alone, ${runs} alternating runs each:\n`);
  for (const [i, [name]] of variants.entries()) {
    const ratio = median(times[i]!.map((t, r) => t / times[0]![r]!)) - 1;
    process.stdout.write(`  ${name.padEnd(36)} median ${median(times[i]!).toFixed(2)} ms${i === 0 ? '' : `, vs untapped ${(ratio * 100).toFixed(1)} %`}\n`);
  }
}

await main();
