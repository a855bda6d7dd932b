/**
 * FLUX.2 transformer build time (graph construction + seeded weights + encoding), not inference:
 * the tiny preset in memory, and a wide config at real width (D = 3072, 1 joint + 2 single blocks)
 * streamed to a file with external data. Prints figures; run from the repository root:
 * node --conditions=@moral-plantain/source --import tsx tools/bench/flux2-build.ts
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeModel } from '@moral-plantain/hooks';
import {
  buildFlux2Transformer,
  buildFlux2TransformerFile,
  describeGraphBuildError,
  flux2Presets,
  flux2TransformerSkeleton,
  flux2WeightBytes,
  seededWeights,
  type Flux2Config,
  type GraphBuildError,
  type WeightSource,
} from '@moral-plantain/model-builder';

const MiB = 2 ** 20;

function buildFailed(errors: NEA.NonEmptyArray<GraphBuildError>): Error {
  return new Error(errors.map((error) => describeGraphBuildError(error, 'FLUX.2').message).join(' '));
}

async function main(): Promise<void> {
  const tiny = flux2Presets.tiny;
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 12; i++) {
    const start = performance.now();
    const built = await buildFlux2Transformer(tiny, seededWeights({ seed: i }));
    if (E.isLeft(built)) throw buildFailed(built.left);
    // Encoding stays inside the timed part, as when the builder returned the encoded bytes.
    size = encodeModel(built.right.model).byteLength;
    times.push(performance.now() - start);
  }
  const warm = times.slice(2).sort((a, b) => a - b);
  console.log(`tiny (D 64, 2 joint + 4 single), in memory: first ${times[0]?.toFixed(1)} ms, warm median ${warm[Math.floor(warm.length / 2)]?.toFixed(1)} ms (min ${warm[0]?.toFixed(1)}), ${(size / MiB).toFixed(2)} MiB`);

  const klein = flux2Presets['klein-4b'];
  const skeletonStart = performance.now();
  const skeleton = await flux2TransformerSkeleton(klein);
  if (E.isLeft(skeleton)) throw new Error('skeleton');
  console.log(`klein-4b graph layout without weights: ${(performance.now() - skeletonStart).toFixed(0)} ms, ${skeleton.right.graph?.node.length} nodes`);

  const wide: Flux2Config = { ...klein, num_layers: 1, num_single_layers: 2 };
  const dir = await mkdtemp(path.join(tmpdir(), 'flux2-bench-'));
  try {
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    const seeded = seededWeights({ seed: 0 });
    let readMs = 0;
    const timed: WeightSource = {
      ...seeded,
      read: async (name, shape, init) => {
        const readStart = performance.now();
        const result = await seeded.read(name, shape, init);
        readMs += performance.now() - readStart;
        return result;
      },
    };
    const written = await buildFlux2TransformerFile(wide, timed, { file: path.join(dir, 'transformer.onnx') });
    const seconds = (performance.now() - start) / 1000;
    if (E.isLeft(written)) throw buildFailed(written.left);
    const peak = process.resourceUsage().maxRSS * 1024;
    console.log(
      `wide (D 3072, 1 joint + 2 single): ${(flux2WeightBytes(wide) / MiB).toFixed(0)} MiB of float32 weights streamed to external data in ${seconds.toFixed(1)} s ` +
        `(of which ${(readMs / 1000).toFixed(1)} s generating the seeded weights) ` +
        `(${(flux2WeightBytes(wide) / MiB / seconds).toFixed(0)} MiB/s); graph ${(written.right.graphBytes / 1024).toFixed(0)} KiB, data ${(written.right.dataBytes / MiB).toFixed(0)} MiB; ` +
        `RSS before ${(rssBefore / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
