import type * as E from 'fp-ts/lib/Either.js';
import { flux2Presets } from '../flux2/flux2-config.js';
import { qwen3Presets } from '../qwen3/qwen3-presets.js';
import { seededWeights } from '../weights/seeded-weights.js';
import { buildModelFolder, type BuildModelFolderError, type BuiltModelFolder } from './build-model-folder.js';

/** Seed of the embedded tiny model's weights (fixed, so every default run probes the same model). */
export const TINY_MODEL_SEED = 0;

/**
 * Builds the embedded default: the tiny FLUX.2-architecture transformer and tiny Qwen3 text encoder
 * with seeded random weights, and the real Qwen3 tokenizer. The same seed gives the same bytes.
 */
export async function buildTinyModelFolder(out: string, seed = TINY_MODEL_SEED): Promise<E.Either<BuildModelFolderError, BuiltModelFolder>> {
  return buildModelFolder({
    out,
    name: 'tiny',
    tiny: true,
    seeds: { transformer: seed, textEncoder: seed },
    transformer: { config: flux2Presets().tiny, weights: seededWeights({ seed }) },
    textEncoder: { config: qwen3Presets.tiny, weights: seededWeights({ seed }) },
  });
}
