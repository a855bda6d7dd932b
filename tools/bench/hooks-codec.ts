/**
 * Decoding and encoding a ~50 MB ONNX graph file with @moral-plantain/hooks: weights as raw data
 * plus many thousands of nodes. Prints seconds (median of several runs) for read+decode and encode.
 */
import * as E from 'fp-ts/lib/Either.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { attr, createGraphBuilder, DataType, decodeModel, encodeModel, float32Tensor } from '@moral-plantain/hooks';

const megabytes = Number(process.env['MEGABYTES'] ?? 50);
const nodes = Number(process.env['NODES'] ?? 20000);
const runs = Number(process.env['RUNS'] ?? 5);

function build(): Uint8Array {
  const b = createGraphBuilder({ opset: 21 });
  let x = b.input('x', DataType.FLOAT, ['batch', 'seq', 1024]);
  const perWeight = 256 * 1024;
  const weights = Math.round((megabytes * 1024 * 1024) / (perWeight * 4));
  for (let i = 0; i < weights; i++) {
    const scope = b.scope(`transformer_blocks.${i}`).scope('attn').scope('to_out.0');
    x = scope.op('MatMul', [x, scope.parameter('weight', float32Tensor(new Float32Array(perWeight).fill(i), [1024, 256]))]);
  }
  for (let i = 0; i < nodes; i++) x = b.scope(`layers.${i % 500}`).op('Mul', [x, x], {}, { metadata: { 'pkg.torch.onnx.name_scopes': `['', 'layers.${i % 500}']` } });
  b.op('Softmax', [x], { axis: attr.int(-1) });
  return encodeModel(b.build());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hooks-codec-'));
  try {
    const file = path.join(dir, 'graph.onnx');
    await writeFile(file, build());
    const decodeTimes: number[] = [];
    const encodeTimes: number[] = [];
    let size = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const bytes = await readFile(file);
      const model = decodeModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (E.isLeft(model)) throw new Error(JSON.stringify(model.left));
      const decoded = performance.now();
      size = encodeModel(model.right).byteLength;
      encodeTimes.push((performance.now() - decoded) / 1000);
      decodeTimes.push((decoded - start) / 1000);
    }
    const d = median(decodeTimes);
    const e = median(encodeTimes);
    process.stdout.write(`hooks codec: ${(size / 1024 / 1024).toFixed(1)} MB graph file, ${nodes} extra nodes, median of ${runs} runs\n`);
    process.stdout.write(`read+decode ${d.toFixed(3)} s   encode ${e.toFixed(3)} s   total ${(d + e).toFixed(3)} s\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
