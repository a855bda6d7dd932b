/**
 * Qwen3 text encoder and text conditioning: tiny build time (graph + seeded weights over the real
 * 151,936-id vocabulary) and its byte identity, tokenizer load and prompt encoding, and ONNX Runtime
 * (CPU) inference of the tiny encoder and of a wide one at Qwen3-4B width (2 layers, smaller
 * vocabulary). Prints figures; run from the repository root:
 * node --conditions=@moral-plantain/source --import tsx tools/bench/qwen3-text-encoder.ts
 */
import * as E from 'fp-ts/lib/Either.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { encodeModel } from '@moral-plantain/hooks';
import { buildQwen3TextEncoder, qwen3Presets, seededWeights, type Qwen3TextEncoderConfig, type Qwen3TextEncoderGraph } from '@moral-plantain/model-builder';
import { encodePrompts, loadQwen3Tokenizer } from '@moral-plantain/model-runtime';

const PROMPTS = [
  'A photo of an elderly woman with heavy grocery bags on the stairs of a brick apartment building, and a young man in a red jacket carrying the bags up the stairs for her.',
  'A photo of an elderly woman with heavy grocery bags on the stairs of a brick apartment building, and a young man in a red jacket walking past her up the stairs.',
  'A photo of a mother duck leading her ducklings across a country road, and a driver in a red pickup truck stopping to let them cross.',
  'A photo of a mother duck leading her ducklings across a country road, and a driver in a red pickup truck speeding straight on toward them.',
];

async function main(): Promise<void> {
  const tiny = qwen3Presets.tiny;
  const buildTimes: number[] = [];
  const encodeTimes: number[] = [];
  let bytes: Uint8Array = new Uint8Array();
  let identical = true;
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    const built = await build(tiny, 0);
    const mid = performance.now();
    const encoded = encodeModel(built.model);
    encodeTimes.push(performance.now() - mid);
    buildTimes.push(mid - start);
    if (i > 0) identical &&= Buffer.from(encoded).equals(Buffer.from(bytes));
    bytes = encoded;
  }
  console.log(`tiny Qwen3 (vocab 151,936 x 32, 3 layers): build ${fmt(median(buildTimes))} ms + encode ${fmt(median(encodeTimes))} ms (median of 10, first ${fmt(buildTimes[0] ?? 0)} ms), ${(bytes.length / 2 ** 20).toFixed(1)} MiB, byte-identical across builds: ${identical}`);

  let start = performance.now();
  const tokenizer = await loadQwen3Tokenizer();
  if (E.isLeft(tokenizer)) throw new Error(JSON.stringify(tokenizer.left));
  console.log(`tokenizer load (tokenizer.json + chat template): ${fmt(performance.now() - start)} ms`);
  start = performance.now();
  const rounds = 50;
  for (let i = 0; i < rounds; i++) encodePrompts(tokenizer.right, PROMPTS);
  console.log(`encodePrompts: ${fmt((performance.now() - start) / (rounds * PROMPTS.length))} ms per prompt (template + tokenize + pad to 512)`);
  const encoded = encodePrompts(tokenizer.right, PROMPTS);
  if (E.isLeft(encoded)) throw new Error('encode failed');

  await timeRuns('tiny', bytes, encoded.right.inputIds, encoded.right.attentionMask);

  const wide: Qwen3TextEncoderConfig = { ...qwen3Presets['qwen3-4b'], model: { ...qwen3Presets['qwen3-4b'].model, vocab_size: 16_384, num_hidden_layers: 2 }, outputLayers: [1, 2] };
  start = performance.now();
  const wideGraph = await build(wide, 0);
  const wideBytes = encodeModel(wideGraph.model);
  console.log(`wide (hidden 2560, 32/8 heads of 128, MLP 9728, 2 layers, vocab 16,384): build + encode ${fmt(performance.now() - start)} ms, ${(wideBytes.length / 2 ** 20).toFixed(0)} MiB`);
  // Token ids folded into the smaller vocabulary: the cost does not depend on which rows are gathered.
  await timeRuns('wide', wideBytes, encoded.right.inputIds.map((id) => id % 16_384n), encoded.right.attentionMask);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

async function build(config: Qwen3TextEncoderConfig, seed: number): Promise<Qwen3TextEncoderGraph> {
  const built = await buildQwen3TextEncoder(config, seededWeights({ seed }));
  if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
  return built.right;
}

async function timeRuns(label: string, model: Uint8Array, ids: BigInt64Array, mask: BigInt64Array): Promise<void> {
  let start = performance.now();
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  console.log(`${label}: ONNX Runtime session ${fmt(performance.now() - start)} ms`);
  for (const batch of [1, 4]) {
    const feeds = {
      input_ids: new ort.Tensor('int64', ids.subarray(0, batch * 512), [batch, 512]),
      attention_mask: new ort.Tensor('int64', mask.subarray(0, batch * 512), [batch, 512]),
    };
    await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      start = performance.now();
      await session.run(feeds);
      times.push(performance.now() - start);
    }
    console.log(`${label}: batch ${batch} x 512 tokens: ${fmt(median(times))} ms per run, ${fmt(median(times) / batch)} ms per prompt (median of 5, CPU)`);
  }
  await session.release();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(0);
}

await main();
