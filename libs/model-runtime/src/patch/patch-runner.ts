import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { DEFAULT_RESOLUTION, fingerprintGraph, isResolution, isSeed, MAX_RESOLUTION_SIDE, PIXELS_PER_TOKEN, SEED_RANGE } from '@moral-plantain/formats';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import type { ProbeError } from '../probe/probe-error.js';
import { PROBE_TIMESTEP } from '../probe/probe-inputs.js';
import { probeJobs, textSource, type TextSource } from '../probe/probe-jobs.js';
import { tapConfig, tapTransformer, type ProbeTapOptions } from '../probe/tap-transformer.js';
import { embedBatch, type ProbeJob } from '../probe/text-step.js';
import { createNoiseCache, type BatchEmbeddings } from '../probe/transformer-step.js';
import { createSession, type DeviceFallback, type ModelSession, type ResolvedDevice, type SessionOptions } from '../session/create-session.js';
import type { SessionError } from '../session/session-error.js';
import type { Tokenize } from '../text/prompt-tokens.js';
import { runPatchedTransformer, type PatchedBatch } from './patched-step.js';

/** Options of `openPatchRunner`: the probe's own inputs, so patched runs repeat the probe's runs exactly. */
export interface PatchRunnerOptions {
  /** Tokenizer for the folder's text encoder (required when the embeddings come from it). */
  readonly tokenize?: Tokenize;
  /** Precomputed prompt embeddings (see `runProbe`); default: the folder's when it has no text encoder. */
  readonly promptEmbeddings?: string;
  /** Session options for both graphs (default: CPU). */
  readonly session?: SessionOptions;
  /** Noise seed, as the probe ran (default 0). */
  readonly seed?: number;
  /** [height, width] in pixels, as the probe ran (default: model.json's, else 1024 x 1024). */
  readonly resolution?: readonly [number, number];
  /** The probe's unit definition (default 16 channels per unit, all channels, all tokens). */
  readonly taps?: ProbeTapOptions;
  /** Folder for the tapped graph with scale inputs (default: beside the transformer). */
  readonly tappedDir?: string;
}

/** One sample of a patched call: which of the embedded prompts it runs, and one scale per unit (manifest order; 1 leaves a unit alone). */
export interface PatchSample {
  readonly prompt: number;
  readonly scales: Float32Array;
}

/** Prompts embedded once, for any number of patched calls. */
export interface EmbeddedPrompts {
  readonly prompts: readonly string[];
  readonly embeddings: BatchEmbeddings;
}

/**
 * The transformer with a per-sample scale input on every tapped input (the probe's units), ready to
 * run patched forward passes with the probe's own noise, timestep, position ids and text.
 */
export interface PatchRunner {
  readonly manifest: TapsManifest;
  /** The transformer's fingerprint (`fingerprintGraph`), as the probe's cache keys hold it. */
  readonly modelFingerprint: string;
  readonly tappedModel: string;
  readonly seed: number;
  readonly resolution: readonly [number, number];
  /** The probe's cache key of a prompt: everything its unpatched vector depends on (model, tokens or embedding, seed, resolution, timestep, units). */
  promptKey(prompt: string): E.Either<ProbeError, string>;
  /** Embeds prompts (text encoder or embeddings file); the text encoder's session opens at the first call. */
  embed(prompts: readonly string[]): TE.TaskEither<ProbeError, EmbeddedPrompts>;
  /** Releases the text encoder's session (once every prompt is embedded, the transformer has the device to itself); `embed` opens it again. */
  releaseTextEncoder(): Promise<void>;
  /** One transformer call over `samples`, all units of a sample scaled at once in one forward pass; the transformer's session opens at the first call. */
  run(embedded: EmbeddedPrompts, samples: readonly PatchSample[]): TE.TaskEither<ProbeError, PatchedBatch>;
  /** The device the transformer runs on, null until a session opened. */
  device(): ResolvedDevice | null;
  /** Why the sessions are not on the device asked for (empty when they are, or none opened). */
  notes(): readonly string[];
  /** GPU providers the transformer's session tried before the device it runs on, and why each did not load. */
  fallbacks(): readonly DeviceFallback[];
  /** Releases both sessions. */
  release(): Promise<void>;
}

/**
 * Opens a patch runner on a model folder: taps the transformer with per-sample scale inputs (the
 * graph is written once into `tappedDir` and reused) and checks the options. Each session opens
 * when first needed, so a caller whose every result is cached never loads a model, and the text
 * encoder can be released once the prompts are embedded.
 */
export function openPatchRunner(folder: ModelFolder, options: PatchRunnerOptions): TE.TaskEither<ProbeError, PatchRunner> {
  return async () => {
    const seed = options.seed ?? 0;
    const resolution = options.resolution ?? folder.manifest?.resolution ?? DEFAULT_RESOLUTION;
    if (!isSeed(seed)) return E.left({ _tag: 'InvalidProbeOption', option: 'seed', reason: `is ${seed}, expected ${SEED_RANGE}` });
    if (!isResolution(resolution)) return E.left({ _tag: 'InvalidProbeOption', option: 'resolution', reason: `is ${JSON.stringify(resolution)}, expected [height, width] in pixels, multiples of ${PIXELS_PER_TOKEN} up to ${MAX_RESOLUTION_SIDE}` });
    const fingerprint = await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path));
    const tapped = await tapTransformer(folder.transformer.path, fingerprint, options.taps ?? {}, options.tappedDir, null, { scales: 'per-sample' });
    if (E.isLeft(tapped)) return E.left({ _tag: 'TapFailed', errors: tapped.left });
    const text = await textSource(folder, { pairs: [], ...(options.tokenize ? { tokenize: options.tokenize } : {}), ...(options.promptEmbeddings !== undefined ? { promptEmbeddings: options.promptEmbeddings } : {}) })();
    if (E.isLeft(text)) return text;
    return E.right(runner(folder, options, { seed, resolution, fingerprint, tappedModel: tapped.right.modelPath, manifest: tapped.right.manifest, text: text.right }));
  };
}

interface Opened {
  readonly seed: number;
  readonly resolution: readonly [number, number];
  readonly fingerprint: string;
  readonly tappedModel: string;
  readonly manifest: TapsManifest;
  readonly text: TextSource;
}

function runner(folder: ModelFolder, options: PatchRunnerOptions, opened: Opened): PatchRunner {
  const { seed, resolution, fingerprint, manifest, text } = opened;
  const noiseCache = createNoiseCache();
  const sessionOptions = options.session ?? {};
  let transformer: ModelSession | null = null;
  let encoder: ModelSession | null = null;
  const keyParts = { transformer: fingerprint, seed, resolution: [resolution[0], resolution[1]] as [number, number], timestep: PROBE_TIMESTEP, taps: tapConfig(options.taps ?? {}) };
  const jobsFor = (prompts: readonly string[]): E.Either<ProbeError, ProbeJob[]> => probeJobs(prompts.map((prompt) => ({ id: prompt, prompt, references: null })), text, keyParts);
  const open = async (model: string): Promise<E.Either<ProbeError, ModelSession>> => E.mapLeft((error: SessionError): ProbeError => ({ _tag: 'Session', error }))(await createSession(model, sessionOptions)());
  const releaseEncoder = async () => {
    const session = encoder;
    encoder = null;
    await session?.session.release();
  };
  return {
    manifest,
    modelFingerprint: fingerprint,
    tappedModel: opened.tappedModel,
    seed,
    resolution,
    promptKey: (prompt) => E.map((jobs: ProbeJob[]) => jobs[0]!.key)(jobsFor([prompt])),
    embed: (prompts) => async () => {
      const jobs = jobsFor(prompts);
      if (E.isLeft(jobs)) return jobs;
      if (text.kind === 'encoder' && encoder === null && folder.textEncoder) {
        const made = await open(folder.textEncoder.path);
        if (E.isLeft(made)) return made;
        encoder = made.right;
      }
      const embeddings = await embedBatch(jobs.right, encoder, folder.textEncoderIo)();
      return E.map((data: BatchEmbeddings) => ({ prompts: [...prompts], embeddings: data }))(embeddings);
    },
    releaseTextEncoder: releaseEncoder,
    run: (embedded, samples) => async () => {
      if (transformer === null) {
        const made = await open(opened.tappedModel);
        if (E.isLeft(made)) return made;
        transformer = made.right;
      }
      const { embeddings } = embedded;
      const perPrompt = embeddings.tokens * embeddings.width;
      const data = new Float32Array(samples.length * perPrompt);
      const scales = new Float32Array(samples.length * manifest.totalUnits);
      for (const [i, sample] of samples.entries()) {
        if (!Number.isInteger(sample.prompt) || sample.prompt < 0 || sample.prompt >= embedded.prompts.length || sample.scales.length !== manifest.totalUnits) {
          return E.left({ _tag: 'InvalidProbeOption', option: 'samples', reason: `sample ${i} names prompt ${sample.prompt} of ${embedded.prompts.length} with ${sample.scales.length} scales for ${manifest.totalUnits} units` });
        }
        data.set(embeddings.data.subarray(sample.prompt * perPrompt, (sample.prompt + 1) * perPrompt), i * perPrompt);
        scales.set(sample.scales, i * manifest.totalUnits);
      }
      const batch = { data, batch: samples.length, tokens: embeddings.tokens, width: embeddings.width };
      return runPatchedTransformer(transformer, folder, manifest, batch, scales, seed, resolution, noiseCache)();
    },
    device: () => transformer?.device ?? null,
    notes: () => [...(transformer?.notes ?? []), ...(encoder?.notes ?? [])],
    fallbacks: () => transformer?.fallbacks ?? [],
    release: async () => {
      const session = transformer;
      transformer = null;
      await session?.session.release();
      await releaseEncoder();
    },
  };
}
