/**
 * Peak memory of building a Qwen3 text encoder at Qwen3-4B width (hidden 2560, 32/8 heads of 128,
 * MLP 9728, 2 layers) with seeded weights: in memory then written with external data (what a model
 * folder did before streaming), against streamed to `text_encoder.onnx.data` tensor by tensor; and
 * streamed with the real 151,936-id vocabulary (too large to build in memory). Each build runs in
 * its own child process, so each peak RSS is that build's alone. Prints figures; run from the
 * repository root:
 * node --conditions=@moral-plantain/source --import tsx tools/bench/qwen3-build-memory.ts
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModelWithExternalData } from '@moral-plantain/hooks';
import {
  buildQwen3TextEncoder,
  buildQwen3TextEncoderFile,
  describeGraphBuildError,
  qwen3Presets,
  qwen3WeightBytes,
  seededWeights,
  type GraphBuildError,
  type Qwen3TextEncoderConfig,
} from '@moral-plantain/model-builder';

const MiB = 2 ** 20;
const base = qwen3Presets['qwen3-4b'];
const CONFIGS: Readonly<Record<string, Qwen3TextEncoderConfig>> = {
  'vocab-16k': { ...base, model: { ...base.model, vocab_size: 16_384, num_hidden_layers: 2 }, outputLayers: [1, 2] },
  'vocab-152k': { ...base, model: { ...base.model, num_hidden_layers: 2 }, outputLayers: [1, 2] },
};
const RUNS: readonly { readonly label: string; readonly mode: 'memory' | 'streamed' | 'idle'; readonly config: string }[] = [
  { label: 'process baseline (imports only)', mode: 'idle', config: 'vocab-16k' },
  { label: 'in memory + writeModelWithExternalData, vocab 16,384', mode: 'memory', config: 'vocab-16k' },
  { label: 'streamed (buildQwen3TextEncoderFile), vocab 16,384', mode: 'streamed', config: 'vocab-16k' },
  { label: 'streamed (buildQwen3TextEncoderFile), vocab 151,936', mode: 'streamed', config: 'vocab-152k' },
];

function buildFailed(errors: NEA.NonEmptyArray<GraphBuildError>): Error {
  return new Error(errors.map((error) => describeGraphBuildError(error, 'Qwen3').message).join(' '));
}

interface ChildResult {
  readonly seconds: number;
  readonly maxRssKiB: number;
}

async function child(mode: string, configName: string): Promise<void> {
  const config = CONFIGS[configName] as Qwen3TextEncoderConfig;
  const dir = await mkdtemp(path.join(tmpdir(), 'qwen3-bench-'));
  const file = path.join(dir, 'text_encoder.onnx');
  const start = performance.now();
  try {
    if (mode === 'memory') {
      const built = await buildQwen3TextEncoder(config, seededWeights({ seed: 0 }));
      if (E.isLeft(built)) throw buildFailed(built.left);
      const written = await writeModelWithExternalData(built.right.model, file)();
      if (E.isLeft(written)) throw new Error(JSON.stringify(written.left));
    } else if (mode === 'streamed') {
      const written = await buildQwen3TextEncoderFile(config, seededWeights({ seed: 0 }), { file, externalData: true });
      if (E.isLeft(written)) throw buildFailed(written.left);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const result: ChildResult = { seconds: (performance.now() - start) / 1000, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(result));
}

function main(): void {
  const script = fileURLToPath(import.meta.url);
  for (const name of Object.keys(CONFIGS)) {
    const c = CONFIGS[name] as Qwen3TextEncoderConfig;
    console.log(`${name}: hidden ${c.model.hidden_size}, MLP ${c.model.intermediate_size}, 2 layers, vocab ${c.model.vocab_size}: ${(qwen3WeightBytes(c) / MiB).toFixed(0)} MiB of float32 weights, largest tensor (embedding) ${((4 * c.model.vocab_size * c.model.hidden_size) / MiB).toFixed(0)} MiB`);
  }
  for (const run of RUNS) {
    const out = execFileSync(process.execPath, [...process.execArgv, script, '--child', run.mode, run.config], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const r = JSON.parse(out) as ChildResult;
    console.log(`${run.label}: ${run.mode === 'idle' ? '' : `${r.seconds.toFixed(1)} s, `}peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`);
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1] as string, process.argv[at + 2] as string);
else main();
