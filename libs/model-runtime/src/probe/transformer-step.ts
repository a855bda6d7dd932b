import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type * as ort from '@moral-plantain/onnxruntime-node';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { gaussianNoise } from '../noise/gaussian-noise.js';
import { withReferences, type ReferenceTokens } from '../reference/reference-tokens.js';
import { runSession, type ModelSession } from '../session/create-session.js';
import { transformerFeeds, type BatchEmbeddings } from '../transformer/transformer-feeds.js';
import { badIo, type ProbeError } from './probe-error.js';
import { imageIds, latentGrid, PROBE_TIMESTEP, repeat } from './probe-inputs.js';

export type { BatchEmbeddings } from '../transformer/transformer-feeds.js';

/**
 * Runs the tapped transformer on one batch and returns each sample's per-unit vector. With
 * reference tokens, every sample reads the same references after its noisy tokens.
 */
export function runTransformer(
  session: ModelSession,
  folder: ModelFolder,
  manifest: TapsManifest,
  text: BatchEmbeddings,
  seed: number,
  resolution: readonly [number, number],
  noiseCache: NoiseCache,
  references: ReferenceTokens | null = null,
): TE.TaskEither<ProbeError, Float32Array[]> {
  return async () => {
    const b = text.batch;
    const feeds = probeFeeds(session, folder, text, seed, resolution, noiseCache, references);
    if (E.isLeft(feeds)) return feeds;
    // Only the tap outputs are fetched: ONNX Runtime then skips the layers after the last tapped input.
    const out = await runSession(session, feeds.right, manifest.taps.map((t) => t.output))();
    if (E.isLeft(out)) return E.left({ _tag: 'Session', error: out.left });
    const vectors = Array.from({ length: b }, () => new Float32Array(manifest.totalUnits));
    for (const tap of manifest.taps) {
      const values = out.right[tap.output]!.data as Float32Array;
      for (let i = 0; i < b; i++) vectors[i]!.set(values.subarray(i * tap.units, (i + 1) * tap.units), tap.offset);
    }
    return E.right(vectors);
  };
}

/**
 * The probe step's feeds for one batch: the run's seeded noise (the same for every sample), the
 * batch's text, timestep 1.0 and the FLUX.2 position ids; with reference tokens, every sample reads
 * the same references after its noisy tokens.
 */
export function probeFeeds(
  session: ModelSession,
  folder: ModelFolder,
  text: BatchEmbeddings,
  seed: number,
  resolution: readonly [number, number],
  noiseCache: NoiseCache,
  references: ReferenceTokens | null = null,
): E.Either<ProbeError, Record<string, ort.Tensor>> {
  const { rows, cols } = latentGrid(resolution[0], resolution[1]);
  const channels = latentChannels(session, folder);
  if (E.isLeft(channels)) return channels;
  const noise = noiseCache.get(seed, rows * cols * channels.right);
  const b = text.batch;
  const image = withReferences(repeat(noise, b), imageIds(rows, cols), b, references);
  return transformerFeeds(session, folder.transformerIo, {
    hidden: image.hidden,
    imageTokens: image.tokens,
    channels: channels.right,
    text,
    timestep: new Float32Array(b).fill(PROBE_TIMESTEP),
    imageIds: image.ids,
  });
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
export function latentChannels(session: ModelSession, folder: ModelFolder): E.Either<ProbeError, number> {
  const declared = session.inputs.find((i) => i.name === folder.transformerIo.latents)?.shape.at(-1);
  if (typeof declared === 'number' && declared > 0) return E.right(declared);
  const configured = folder.manifest?.transformer.config.in_channels;
  if (typeof configured === 'number') return E.right(configured);
  return E.left(badIo(session.source, `input ${folder.transformerIo.latents} has no fixed channel count and model.json gives no in_channels`));
}
