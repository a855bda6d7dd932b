import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { isResolution, isSeed, MAX_RESOLUTION_SIDE, PIXELS_PER_TOKEN, SEED_RANGE, type ManifestSampler } from '@moral-plantain/formats';
import type { RgbImage } from '../image/rgb-image.js';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { gaussianNoise } from '../noise/gaussian-noise.js';
import type { ProbeError } from '../probe/probe-error.js';
import { imageIds, latentGrid } from '../probe/probe-inputs.js';
import { readPromptEmbeddings, type PromptEmbeddings } from '../probe/prompt-embeddings.js';
import { toFloat32 } from '../probe/session-feeds.js';
import { embedBatch } from '../probe/text-step.js';
import { latentChannels } from '../probe/transformer-step.js';
import { withReferences, type ReferenceTokens } from '../reference/reference-tokens.js';
import { createSession, runSession, type ModelSession, type ResolvedDevice, type SessionOptions } from '../session/create-session.js';
import type { Tokenize } from '../text/prompt-tokens.js';
import { transformerFeeds, type BatchEmbeddings } from '../transformer/transformer-feeds.js';
import { decodeTokens, encodeImage, type EncodedImage } from '../vae/vae-step.js';
import { eulerStep, flowMatchSchedule, guideVelocity, usesGuidance, type FlowMatchSchedule } from './flow-match-schedule.js';

/** The negative prompt of classifier-free guidance in `Flux2KleinPipeline` (`pipeline_flux2_klein.py`, line 748). */
export const NEGATIVE_PROMPT = '';

/** The guidance scale `Flux2KleinPipeline.__call__` defaults to (line 622); distilled checkpoints ignore it. */
export const DEFAULT_GUIDANCE = 4.0;

/** Steps by default: the base pipeline's 50 (line 620); distilled klein checkpoints are meant for 4. */
export const DEFAULT_STEPS = { base: 50, distilled: 4 } as const;

/** Options of `createImageGenerator`. */
export interface GeneratorOptions {
  /** Session options of every graph (default: CPU). */
  readonly session?: SessionOptions;
  /** The tokenizer of the folder's text encoder (needed when embeddings come from it). */
  readonly tokenize?: Tokenize;
  /** Precomputed prompt embeddings (see `PromptEmbeddings`), for folders without a text encoder; must hold "" for guidance. */
  readonly promptEmbeddings?: string;
}

/** How one image is sampled. */
export interface SamplingSettings {
  /** Denoising steps (the pipeline's `num_inference_steps`). */
  readonly steps: number;
  /** Classifier-free guidance scale; used when above 1 and the checkpoint is not distilled. */
  readonly guidance: number;
  /** Seed of the initial noise (`gaussianNoise`, the same latents the probe starts from). */
  readonly seed: number;
  /** [height, width] in pixels, multiples of 16. */
  readonly resolution: readonly [number, number];
}

/** One generated image and how it was made. */
export interface GeneratedImage {
  readonly image: RgbImage;
  /** The final latent tokens [rows x cols, channels]. */
  readonly latents: Float32Array;
  readonly schedule: FlowMatchSchedule;
  /** Whether classifier-free guidance ran (two transformer passes per step). */
  readonly guided: boolean;
  /** Wall seconds: all steps, and the decode. */
  readonly seconds: { readonly steps: number; readonly decode: number };
}

/** Progress of one generation: `step` of `steps` finished. */
export interface StepProgress {
  readonly step: number;
  readonly steps: number;
}

/**
 * Text-to-image (and reference-conditioned) sampling with a model folder, as `Flux2KleinPipeline`
 * does it: prompt embeddings, seeded noise, the flow-match Euler schedule, classifier-free guidance
 * for base checkpoints, the VAE decode. Sessions open when first needed and stay open until
 * released; the text encoder can be released on its own once every prompt is embedded.
 */
export interface ImageGenerator {
  /** The folder's scheduler and distillation. */
  readonly sampler: ManifestSampler;
  /** Each prompt's embedding [1, S_txt, D_txt] (batch 1, as the pipeline encodes one prompt). */
  embed(prompts: readonly string[]): TE.TaskEither<ProbeError, ReadonlyMap<string, BatchEmbeddings>>;
  /** Samples one image; `negative` is needed when guidance runs (`usesGuidance`). */
  generate(prompt: BatchEmbeddings, negative: BatchEmbeddings | null, settings: SamplingSettings, references: ReferenceTokens | null, onStep?: (progress: StepProgress) => void): TE.TaskEither<ProbeError, GeneratedImage>;
  /** Encodes an image (sides multiples of 16) with the VAE encoder into tokens. */
  encodeImage(image: RgbImage): TE.TaskEither<ProbeError, EncodedImage>;
  /** The devices the sessions opened so far run on. */
  devices(): readonly ResolvedDevice[];
  /** Why sessions are not on the requested device (empty when they are). */
  notes(): readonly string[];
  releaseTextEncoder(): Promise<void>;
  release(): Promise<void>;
}

/** An image generator over a model folder (see `ImageGenerator`). */
export function createImageGenerator(folder: ModelFolder, options: GeneratorOptions = {}): ImageGenerator {
  const sessions = new Map<string, ModelSession>();
  const open = async (role: string, file: string): Promise<E.Either<ProbeError, ModelSession>> => {
    const existing = sessions.get(role);
    if (existing) return E.right(existing);
    const created = await createSession(file, options.session ?? {})();
    if (E.isLeft(created)) return E.left({ _tag: 'Session', error: created.left });
    sessions.set(role, created.right);
    return E.right(created.right);
  };
  const close = async (role: string) => {
    await sessions.get(role)?.session.release();
    sessions.delete(role);
  };
  let embeddingsFile: PromptEmbeddings | null = null;

  const embed: ImageGenerator['embed'] = (prompts) => async () => {
    const out = new Map<string, BatchEmbeddings>();
    const file = options.promptEmbeddings ?? (folder.textEncoder ? undefined : (folder.promptEmbeddings ?? undefined));
    if (file !== undefined) {
      if (embeddingsFile === null) {
        const read = await readPromptEmbeddings(file);
        if (E.isLeft(read)) return E.left({ _tag: 'BadEmbeddings', path: file, reason: read.left });
        embeddingsFile = read.right;
      }
      for (const prompt of prompts) {
        const found = embeddingsFile.lookup(prompt);
        if (!found) return E.left({ _tag: 'MissingEmbedding', path: file, prompt });
        out.set(prompt, { data: found.data, batch: 1, tokens: found.tokens, width: found.width });
      }
      return E.right(out);
    }
    if (!folder.textEncoder || !folder.textEncoderIo) return E.left({ _tag: 'NoTextSource', dir: folder.dir });
    if (!options.tokenize) return E.left({ _tag: 'NoTokenizer' });
    const encoder = await open('textEncoder', folder.textEncoder.path);
    if (E.isLeft(encoder)) return encoder;
    for (const prompt of prompts) {
      if (out.has(prompt)) continue;
      const tokens = options.tokenize(prompt);
      if (E.isLeft(tokens)) return E.left({ _tag: 'Text', error: tokens.left });
      const embedded = await embedBatch([{ id: prompt, prompt, key: '', references: null, tokens: tokens.right, embedding: null }], encoder.right, folder.textEncoderIo)();
      if (E.isLeft(embedded)) return embedded;
      out.set(prompt, embedded.right);
    }
    return E.right(out);
  };

  const generate: ImageGenerator['generate'] = (prompt, negative, settings, references, onStep) => async () => {
    const checked = checkSettings(settings);
    if (E.isLeft(checked)) return checked;
    const guided = usesGuidance(settings.guidance, folder.sampler.isDistilled);
    if (guided && negative === null) return E.left({ _tag: 'InvalidProbeOption', option: 'negative', reason: 'is missing: classifier-free guidance needs the embedding of the negative prompt ""' });
    if (!folder.vae) return E.left({ _tag: 'NoVae', dir: folder.dir, needed: 'generating images' });
    const transformer = await open('transformer', folder.transformer.path);
    if (E.isLeft(transformer)) return transformer;
    const decoder = await open('decoder', folder.vae.decoder.path);
    if (E.isLeft(decoder)) return decoder;
    const channels = latentChannels(transformer.right, folder);
    if (E.isLeft(channels)) return channels;
    const C = channels.right;
    const { rows, cols } = latentGrid(settings.resolution[0], settings.resolution[1]);
    const noisyTokens = rows * cols;
    const latents = gaussianNoise(settings.seed, noisyTokens * C);
    const schedule = flowMatchSchedule(folder.sampler.scheduler, settings.steps, noisyTokens);
    const noisyIds = imageIds(rows, cols);
    const stepsStart = performance.now();
    const velocity = async (text: BatchEmbeddings, timestep: number): Promise<E.Either<ProbeError, Float32Array>> => {
      const image = withReferences(latents, noisyIds, 1, references);
      const feeds = transformerFeeds(transformer.right, folder.transformerIo, { hidden: image.hidden, imageTokens: image.tokens, channels: C, text, timestep: Float32Array.of(timestep), imageIds: image.ids });
      if (E.isLeft(feeds)) return feeds;
      const out = await runSession(transformer.right, feeds.right, [folder.transformerIo.prediction])();
      if (E.isLeft(out)) return E.left({ _tag: 'Session', error: out.left });
      const values = toFloat32(out.right[folder.transformerIo.prediction]!, transformer.right.source);
      // The prediction is sliced back to the noisy tokens (pipeline line 860).
      return E.map((v: Float32Array) => v.slice(0, noisyTokens * C))(values);
    };
    for (let i = 0; i < settings.steps; i++) {
      const timestep = schedule.modelTimesteps[i]!;
      const conditional = await velocity(prompt, timestep);
      if (E.isLeft(conditional)) return conditional;
      if (guided) {
        const unconditional = await velocity(negative!, timestep);
        if (E.isLeft(unconditional)) return unconditional;
        guideVelocity(conditional.right, unconditional.right, settings.guidance);
      }
      eulerStep(latents, conditional.right, schedule.sigmas[i]!, schedule.sigmas[i + 1]!);
      onStep?.({ step: i + 1, steps: settings.steps });
    }
    const decodeStart = performance.now();
    const image = await decodeTokens(decoder.right, latents, rows, cols, C)();
    if (E.isLeft(image)) return E.left({ _tag: 'Session', error: image.left });
    const seconds = { steps: (decodeStart - stepsStart) / 1000, decode: (performance.now() - decodeStart) / 1000 };
    return E.right({ image: image.right, latents, schedule, guided, seconds });
  };

  const encode: ImageGenerator['encodeImage'] = (image) => async () => {
    if (!folder.vae) return E.left({ _tag: 'NoVae', dir: folder.dir, needed: 'encoding reference images' });
    const encoder = await open('encoder', folder.vae.encoder.path);
    if (E.isLeft(encoder)) return encoder;
    const encoded = await encodeImage(encoder.right, image)();
    return E.isLeft(encoded) ? E.left({ _tag: 'Session', error: encoded.left }) : encoded;
  };

  return {
    sampler: folder.sampler,
    embed,
    generate,
    encodeImage: encode,
    devices: () => [...new Set([...sessions.values()].map((s) => s.device))],
    notes: () => [...sessions.values()].flatMap((s) => s.notes),
    releaseTextEncoder: () => close('textEncoder'),
    release: async () => {
      for (const role of [...sessions.keys()]) await close(role);
    },
  };
}

/** Checks sampling settings: whole steps from 1 to 1000, a finite guidance scale of at least 0, a seed, a resolution. */
export function checkSettings(settings: SamplingSettings): E.Either<ProbeError, true> {
  const invalid = (option: string, reason: string) => E.left<ProbeError>({ _tag: 'InvalidProbeOption', option, reason });
  if (!Number.isInteger(settings.steps) || settings.steps < 1 || settings.steps > 1000) return invalid('steps', `is ${settings.steps}, expected a whole number from 1 to 1000`);
  if (!Number.isFinite(settings.guidance) || settings.guidance < 0) return invalid('guidance', `is ${settings.guidance}, expected a number of at least 0 (1 or less: no guidance)`);
  if (!isSeed(settings.seed)) return invalid('seed', `is ${settings.seed}, expected ${SEED_RANGE}`);
  if (!isResolution(settings.resolution)) return invalid('resolution', `is ${JSON.stringify(settings.resolution)}, expected [height, width] in pixels, multiples of ${PIXELS_PER_TOKEN} up to ${MAX_RESOLUTION_SIDE}`);
  return E.right(true);
}
