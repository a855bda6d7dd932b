import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_RESOLUTION, isResolution, isSeed, MAX_RESOLUTION_SIDE, PIXELS_PER_TOKEN, SEED_RANGE } from '@moral-plantain/formats';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { SessionOptions } from '../session/create-session.js';
import type { SessionPool } from '../session/session-pool.js';
import type { Tokenize } from '../text/prompt-tokens.js';
import type { ProbeError } from './probe-error.js';
import type { ProbeProgress } from './probe-progress.js';
import type { ProbeReferences } from './probe-references.js';
import type { ProbeTapOptions } from './tap-transformer.js';

/** One stimulus pair as plain data: its id and the two prompt texts. */
export interface ProbePair {
  readonly id: string;
  readonly a: string;
  readonly b: string;
}

/** Options of `runProbe`. */
export interface ProbeOptions {
  readonly pairs: readonly ProbePair[];
  /** Tokenizer for the folder's text encoder (required when the embeddings come from it). */
  readonly tokenize?: Tokenize;
  /** Precomputed prompt embeddings (safetensors, see `PromptEmbeddings`); default: the folder's `prompt_embeds.safetensors` when it has no text encoder. */
  readonly promptEmbeddings?: string;
  /** Session options for both graphs (default: CPU, ONNX Runtime's threads, all optimizations). */
  readonly session?: SessionOptions;
  /** Noise seed (default 0). */
  readonly seed?: number;
  /** [height, width] in pixels, multiples of 16 (default: model.json's, else `DEFAULT_RESOLUTION`, 1024 x 1024). */
  readonly resolution?: readonly [number, number];
  /** Prompts per transformer call (default 1); results equal batch size 1 within float rounding. */
  readonly batchSize?: number;
  /** Unit definition (flux2 preset; default 16 channels per unit, all channels, all tokens). */
  readonly taps?: ProbeTapOptions;
  /** Folder for the tapped graph (default: beside the transformer). */
  readonly tappedDir?: string;
  /** Folder of the resumable per-prompt cache (default: no cache). */
  readonly cacheDir?: string;
  /** Compute every prompt even when the cache has it (the cache is still written); default false. */
  readonly recompute?: boolean;
  /** Sessions shared with other runs (a sweep's); default: the run opens its own and releases them at the end. */
  readonly sessions?: SessionPool;
  /** Stops the run between batches; finished prompts stay in the cache. */
  readonly signal?: AbortSignal;
  /** Called at each stage and after each batch. */
  readonly onProgress?: (progress: ProbeProgress) => void;
  /** Activations file to write (default: none, only returned). */
  readonly out?: string;
  /** Content hash of the stimulus set, recorded in the activations metadata. */
  readonly stimuliHash?: string;
  /**
   * Reference images to condition every prompt on (encoded with the folder's VAE, packed after the
   * noisy tokens with time offsets 10, 20, ...), the same for every pair or one set per pair;
   * `taps.unitTokens` says whether the RMS covers their tokens. Default: none.
   */
  readonly references?: ProbeReferences;
}

/** The options a run uses, checked, with their defaults filled in. */
export interface ResolvedProbeOptions {
  readonly seed: number;
  readonly batchSize: number;
  readonly resolution: readonly [number, number];
}

/** Checks the options of a run against the folder and fills in the defaults. */
export function resolveProbeOptions(folder: ModelFolder, options: ProbeOptions): E.Either<ProbeError, ResolvedProbeOptions> {
  const invalid = (option: string, reason: string) => E.left<ProbeError>({ _tag: 'InvalidProbeOption', option, reason });
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 1;
  const resolution = options.resolution ?? folder.manifest?.resolution ?? DEFAULT_RESOLUTION;
  if (!isSeed(seed)) return invalid('seed', `is ${seed}, expected ${SEED_RANGE}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) return invalid('batchSize', `is ${batchSize}, expected a positive integer`);
  if (!isResolution(resolution)) return invalid('resolution', `is ${JSON.stringify(resolution)}, expected [height, width] in pixels, multiples of ${PIXELS_PER_TOKEN} up to ${MAX_RESOLUTION_SIDE}`);
  if (options.pairs.length === 0) return invalid('pairs', 'is empty');
  const ids = new Set<string>();
  for (const pair of options.pairs) {
    if (ids.has(pair.id)) return invalid('pairs', `repeat the id ${JSON.stringify(pair.id)}`);
    ids.add(pair.id);
  }
  if (options.references && options.taps?.unitTokens === 'text-and-noisy' && options.taps.tokens !== undefined) {
    return invalid('taps.tokens', 'cannot be given with unitTokens "text-and-noisy", which sets each block\'s token range itself');
  }
  return E.right({ seed, batchSize, resolution });
}
