import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type * as ort from '@moral-plantain/onnxruntime-node';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { gaussianNoise } from '../noise/gaussian-noise.js';
import { runSession, type ModelSession } from '../session/create-session.js';
import { badIo, type ProbeError } from './probe-error.js';
import { imageIds, latentGrid, PROBE_TIMESTEP, repeat, textIds } from './probe-inputs.js';
import { rankOf, tensorFor } from './session-feeds.js';

/** One batch's prompt embeddings [batch, tokens, width] as float32. */
export interface BatchEmbeddings {
  readonly data: Float32Array;
  readonly batch: number;
  readonly tokens: number;
  readonly width: number;
}

/** Runs the tapped transformer on one batch and returns each sample's per-unit vector. */
export function runTransformer(session: ModelSession, folder: ModelFolder, manifest: TapsManifest, text: BatchEmbeddings, seed: number, resolution: readonly [number, number], noiseCache: NoiseCache): TE.TaskEither<ProbeError, Float32Array[]> {
  return async () => {
    const feeds = transformerFeeds(session, folder, text, seed, resolution, noiseCache);
    if (E.isLeft(feeds)) return feeds;
    // Only the tap outputs are fetched: ONNX Runtime then skips the layers after the last tapped input.
    const out = await runSession(session, feeds.right, manifest.taps.map((t) => t.output))();
    if (E.isLeft(out)) return E.left({ _tag: 'Session', error: out.left });
    const vectors = Array.from({ length: text.batch }, () => new Float32Array(manifest.totalUnits));
    for (const tap of manifest.taps) {
      const values = out.right[tap.output]!.data as Float32Array;
      for (let i = 0; i < text.batch; i++) vectors[i]!.set(values.subarray(i * tap.units, (i + 1) * tap.units), tap.offset);
    }
    return E.right(vectors);
  };
}

/** The feeds of one transformer call: the run's noise latents, the batch's text, timestep 1.0 and the FLUX.2 position ids. */
function transformerFeeds(session: ModelSession, folder: ModelFolder, text: BatchEmbeddings, seed: number, resolution: readonly [number, number], noiseCache: NoiseCache): E.Either<ProbeError, Record<string, ort.Tensor>> {
  const io = folder.transformerIo;
  const { rows, cols } = latentGrid(resolution[0], resolution[1]);
  const imageTokens = rows * cols;
  const channels = latentChannels(session, folder);
  if (E.isLeft(channels)) return channels;
  const noise = noiseCache.get(seed, imageTokens * channels.right);
  const b = text.batch;
  const ids = (name: string, values: Float32Array, count: number) => {
    const batched = rankOf(session, name) === 3;
    return tensorFor(session, name, batched ? repeat(values, b) : values, batched ? [b, count, 4] : [count, 4]);
  };
  const feeds: Record<string, E.Either<ProbeError, ort.Tensor>> = {
    [io.latents]: tensorFor(session, io.latents, repeat(noise, b), [b, imageTokens, channels.right]),
    [io.text]: tensorFor(session, io.text, text.data, [b, text.tokens, text.width]),
    [io.timestep]: tensorFor(session, io.timestep, new Float32Array(b).fill(PROBE_TIMESTEP), [b]),
    [io.imageIds]: ids(io.imageIds, imageIds(rows, cols), imageTokens),
    [io.textIds]: ids(io.textIds, textIds(text.tokens), text.tokens),
  };
  const out: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) {
    if (E.isLeft(tensor)) return tensor;
    out[name] = tensor.right;
  }
  return E.right(out);
}

/** The run's noise latents, drawn once (the same for every prompt and batch). */
export interface NoiseCache {
  get(seed: number, count: number): Float32Array;
}

/** A noise cache that draws the latents once per seed and size. */
export function createNoiseCache(): NoiseCache {
  let cached: { seed: number; noise: Float32Array } | null = null;
  return {
    get(seed, count) {
      if (cached?.seed !== seed || cached.noise.length !== count) cached = { seed, noise: gaussianNoise(seed, count) };
      return cached.noise;
    },
  };
}

/** Latent channels per image token: from the graph input, else model.json's in_channels. */
function latentChannels(session: ModelSession, folder: ModelFolder): E.Either<ProbeError, number> {
  const declared = session.inputs.find((i) => i.name === folder.transformerIo.latents)?.shape.at(-1);
  if (typeof declared === 'number' && declared > 0) return E.right(declared);
  const configured = folder.manifest?.transformer.config.in_channels;
  if (typeof configured === 'number') return E.right(configured);
  return E.left(badIo(session.source, `input ${folder.transformerIo.latents} has no fixed channel count and model.json gives no in_channels`));
}
