/**
 * Tapping overhead: forward time of a FLUX.2-shaped stack with and without flux2 taps on the CPU
 * execution provider, same inputs, alternating runs, at several widths (3072 = FLUX.2 klein 4B).
 * Prints median times and the overhead in percent: the median over pairs of tapped/untapped - 1,
 * which cancels the drift of a busy machine. THREADS sets ONNX Runtime's intra-op threads (default 1,
 * the steadiest on a shared machine; 0 = ONNX Runtime's default).
 */
import * as E from 'fp-ts/lib/Either.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { createGraphBuilder, DataType, encodeModel, float32Tensor, insertTaps, type ModelProto } from '@moral-plantain/hooks';

const widths = (process.env['WIDTHS'] ?? '768,1536,3072').split(',').map(Number);
const tokens = Number(process.env['TOKENS'] ?? 256);
const pairs = Number(process.env['PAIRS'] ?? 30);
const threads = Number(process.env['THREADS'] ?? 1);

function stack(width: number): ModelProto {
  const b = createGraphBuilder({ opset: 21 });
  let x = b.input('hidden_states', DataType.FLOAT, [1, 'seq', width]);
  const weight = (rows: number, cols: number) => {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = (((i * 2654435761) >>> 0) / 4294967296 - 0.5) / Math.sqrt(rows);
    return float32Tensor(data, [rows, cols]);
  };
  for (let i = 0; i < 2; i++) {
    const attn = b.scope(`transformer_blocks.${i}`).scope('attn');
    const h = attn.op('Tanh', [attn.scope('to_v').op('MatMul', [x, attn.scope('to_v').parameter('weight', weight(width, width))])]);
    const out = attn.scope('to_out.0').op('MatMul', [h, attn.scope('to_out.0').parameter('weight', weight(width, width))]);
    x = b.scope(`transformer_blocks.${i}`).op('Add', [x, out]);
  }
  b.output(x, DataType.FLOAT, [1, 'seq', width]);
  return b.build();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  process.stdout.write(`hooks tapping overhead: CPU execution provider (${threads > 0 ? threads : 'default'} threads), ${tokens} tokens, 2 joint blocks, ${pairs} alternating pairs per width\n`);
  process.stdout.write('width   untapped ms   tapped ms   overhead\n');
  for (const width of widths) {
    const plain = encodeModel(stack(width));
    const tappedModel = stack(width);
    const result = insertTaps(tappedModel, { preset: 'flux2' });
    if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
    const tapped = encodeModel(tappedModel);
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...(threads > 0 ? { intraOpNumThreads: threads } : {}) };
    const sessions = [await ort.InferenceSession.create(plain, options), await ort.InferenceSession.create(tapped, options)] as const;
    const input = new Float32Array(tokens * width).map((_, i) => Math.sin(i * 0.37));
    const feeds = { hidden_states: new ort.Tensor('float32', input, [1, tokens, width]) };
    for (const session of sessions) await session.run(feeds);
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < pairs; i++) {
      for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const start = performance.now();
        await (sessions[k] as ort.InferenceSession).run(feeds);
        times[k as 0 | 1].push(performance.now() - start);
      }
    }
    const [untapped, withTaps] = [median(times[0]), median(times[1])];
    const overhead = median(times[1].map((t, i) => t / (times[0][i] as number) - 1)) * 100;
    process.stdout.write(`${String(width).padEnd(8)}${untapped.toFixed(2).padStart(11)}   ${withTaps.toFixed(2).padStart(9)}   ${overhead.toFixed(2).padStart(7)} %\n`);
    for (const session of sessions) await session.release();
  }
}

await main();
