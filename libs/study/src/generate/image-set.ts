import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { canonicalJson, errorReason, fingerprintGraph, sha256, writeJsonFile } from '@moral-plantain/formats';
import {
  NEGATIVE_PROMPT,
  usesGuidance,
  writePngFile,
  type ImageGenerator,
  type ModelFolder,
  type ReferenceTokens,
  type SamplingSettings,
  type Tokenize,
} from '@moral-plantain/model-runtime';
import type { StudyError } from '../study-error.js';
import type { StudyProgress } from '../study-progress.js';

/** The `format` of an image folder's index, `images.json`. */
export const IMAGES_FORMAT = 'moral-plantain/images@1';

/** One image to make: where it goes (relative to the folder) and from which text. */
export interface ImageJob {
  /** File name relative to the folder, e.g. `images/pa-01-a.png`. */
  readonly file: string;
  readonly prompt: string;
  readonly pair?: string;
  /** Which text of the pair: condition a, condition b, or the neutral scene description. */
  readonly condition?: 'a' | 'b' | 'neutral';
}

/** One image of the index: the job, the key of everything it depends on, the PNG's SHA-256 and how long it took. */
export interface IndexedImage extends ImageJob {
  readonly key: string;
  readonly sha256: string;
  /** Wall seconds to sample and decode it. */
  readonly seconds: number;
}

/** `images.json`: what a folder of generated images holds and how each was made. */
export interface ImageIndex {
  readonly format: typeof IMAGES_FORMAT;
  readonly model: string;
  readonly sampling: {
    readonly steps: number;
    readonly guidance: number;
    /** Whether classifier-free guidance ran (guidance above 1 and a base checkpoint). */
    readonly guided: boolean;
    readonly negativePrompt: string | null;
    readonly seed: number;
    readonly resolution: { readonly height: number; readonly width: number };
    readonly scheduler: ModelFolder['sampler']['scheduler'];
    readonly isDistilled: boolean;
  };
  readonly images: readonly IndexedImage[];
}

/** What `generateImageSet` did. */
export interface ImageSetOutcome {
  readonly index: ImageIndex;
  /** Images sampled now, and images kept from an earlier run. */
  readonly generated: number;
  readonly reused: number;
  /** Wall seconds per denoising step (transformer passes and the Euler update), over the images sampled now. */
  readonly secondsPerStep: number | null;
}

/** What `generateImageSet` needs besides the jobs. */
export interface ImageSetOptions {
  readonly folder: ModelFolder;
  readonly generator: ImageGenerator;
  /** The model's tokenizer, when the text comes from its text encoder (it keys each image by its tokens). */
  readonly tokenize?: Tokenize;
  readonly settings: SamplingSettings;
  /** The model's name as the index records it. */
  readonly modelName: string;
  /** Reference images every image is conditioned on, with a key of their content (default none). */
  readonly references?: { readonly tokens: ReferenceTokens; readonly key: string } | null;
  readonly progress: StudyProgress;
  /** Stops between images; the images written so far stay. */
  readonly signal?: AbortSignal;
  /** Keep images an earlier run made with the same key (default true). */
  readonly resume?: boolean;
}

/**
 * Generates the images of `jobs` into `dir`, resumably: each PNG is written atomically (a kill
 * leaves no half-written file) and then recorded in `images.json` (rewritten atomically after
 * every image) with the key of everything it depends on (model graphs, the prompt's tokens, seed,
 * steps, guidance, resolution, scheduler). A rerun keeps every image whose recorded key and
 * SHA-256 match and samples only the others. Progress is reported per denoising step.
 */
export async function generateImageSet(dir: string, jobs: readonly ImageJob[], options: ImageSetOptions): Promise<E.Either<StudyError, ImageSetOutcome>> {
  const { folder, generator, settings, progress } = options;
  const guided = usesGuidance(settings.guidance, folder.sampler.isDistilled);
  const indexPath = path.join(dir, 'images.json');
  const keys = await imageKeys(jobs, options, guided);
  if (E.isLeft(keys)) return keys;
  const previous = options.resume === false ? new Map<string, IndexedImage>() : await previousImages(dir, indexPath);
  const done: IndexedImage[] = [];
  const todo: { job: ImageJob; key: string }[] = [];
  for (const [i, job] of jobs.entries()) {
    const key = keys.right[i]!;
    const earlier = previous.get(job.file);
    if (earlier && earlier.key === key) done.push(earlier);
    else todo.push({ job, key });
  }
  const base = {
    format: IMAGES_FORMAT,
    model: options.modelName,
    sampling: {
      steps: settings.steps,
      guidance: settings.guidance,
      guided,
      negativePrompt: guided ? NEGATIVE_PROMPT : null,
      seed: settings.seed,
      resolution: { height: settings.resolution[0], width: settings.resolution[1] },
      scheduler: folder.sampler.scheduler,
      isDistilled: folder.sampler.isDistilled,
    },
  } as const;
  const indexOf = (images: readonly IndexedImage[]): ImageIndex => ({ ...base, images: jobs.flatMap((job) => images.filter((image) => image.file === job.file)) });
  const reused = done.length;
  if (todo.length === 0) {
    const index = indexOf(done);
    const wrote = await writeIndex(indexPath, index);
    return E.isLeft(wrote) ? wrote : E.right({ index, generated: 0, reused, secondsPerStep: null });
  }

  progress.update({ stage: 'embed', done: 0, total: 1 });
  const texts = [...new Set([...todo.map((t) => t.job.prompt), ...(guided ? [NEGATIVE_PROMPT] : [])])];
  const embeddings = await generator.embed(texts)();
  if (E.isLeft(embeddings)) return E.left({ _tag: 'Probe', error: embeddings.left });
  // Every prompt is embedded: the text encoder's memory goes back before the transformer loads.
  await generator.releaseTextEncoder();
  progress.update({ stage: 'embed', done: 1, total: 1 });
  progress.finish();

  const totalSteps = todo.length * settings.steps;
  let stepsDone = 0;
  let stepSeconds = 0;
  for (const { job, key } of todo) {
    if (options.signal?.aborted) return E.left({ _tag: 'Interrupted', done: done.length, total: jobs.length, cacheDir: dir });
    const started = performance.now();
    const eta = () => (stepsDone === 0 ? null : (stepSeconds / stepsDone) * (totalSteps - stepsDone));
    const made = await generator.generate(embeddings.right.get(job.prompt)!, guided ? embeddings.right.get(NEGATIVE_PROMPT)! : null, settings, options.references?.tokens ?? null, ({ step }) => {
      progress.update({ stage: 'images', done: stepsDone + step, total: totalSteps, etaSeconds: eta() });
    })();
    if (E.isLeft(made)) return E.left({ _tag: 'Probe', error: made.left });
    stepsDone += settings.steps;
    stepSeconds += made.right.seconds.steps;
    const file = path.join(dir, job.file);
    const png = await writePngFile(file, made.right.image)();
    if (E.isLeft(png)) return E.left({ _tag: 'WriteFailed', path: file, reason: png.left._tag === 'ImageWriteFailed' ? png.left.reason : png.left._tag });
    done.push({ ...job, key, sha256: sha256(png.right), seconds: round((performance.now() - started) / 1000) });
    const wrote = await writeIndex(indexPath, indexOf(done));
    if (E.isLeft(wrote)) return wrote;
  }
  progress.finish();
  return E.right({ index: indexOf(done), generated: todo.length, reused, secondsPerStep: stepSeconds / stepsDone });
}

/** The key of each job: a hash of everything its pixels depend on. */
async function imageKeys(jobs: readonly ImageJob[], options: ImageSetOptions, guided: boolean): Promise<E.Either<StudyError, string[]>> {
  const { folder, settings } = options;
  const graphs = {
    transformer: await fingerprintGraph(folder.transformer.path, folder.transformer.externalData.map((d) => d.path)),
    vaeDecoder: folder.vae ? await fingerprintGraph(folder.vae.decoder.path) : null,
    textEncoder: folder.textEncoder ? await fingerprintGraph(folder.textEncoder.path, folder.textEncoder.externalData.map((d) => d.path)) : null,
  };
  const textKey = (prompt: string): E.Either<StudyError, string> => {
    if (!folder.textEncoder || !options.tokenize) return E.right(sha256(prompt));
    const tokens = options.tokenize(prompt);
    if (E.isLeft(tokens)) return E.left({ _tag: 'Tokenizer', error: tokens.left });
    return E.right(sha256(canonicalJson({ ids: Array.from(tokens.right.inputIds), mask: Array.from(tokens.right.attentionMask) })));
  };
  const negative = guided ? textKey(NEGATIVE_PROMPT) : E.right(null);
  if (E.isLeft(negative)) return negative;
  const keys: string[] = [];
  for (const job of jobs) {
    const text = textKey(job.prompt);
    if (E.isLeft(text)) return text;
    keys.push(
      sha256(
        canonicalJson({
          graphs,
          text: text.right,
          negative: negative.right,
          prompt: job.prompt,
          steps: settings.steps,
          guidance: guided ? settings.guidance : null,
          seed: settings.seed,
          resolution: settings.resolution,
          sampler: folder.sampler,
          references: options.references?.key ?? null,
        }),
      ),
    );
  }
  return E.right(keys);
}

/** The images an earlier run recorded whose files are still there with the recorded content. */
async function previousImages(dir: string, indexPath: string): Promise<Map<string, IndexedImage>> {
  const kept = new Map<string, IndexedImage>();
  let index: ImageIndex;
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as ImageIndex;
  } catch {
    return kept;
  }
  if (index.format !== IMAGES_FORMAT || !Array.isArray(index.images)) return kept;
  for (const image of index.images) {
    if (typeof image.file !== 'string' || typeof image.key !== 'string') continue;
    const file = path.join(dir, image.file);
    const present = await stat(file).then((s) => s.isFile(), () => false);
    if (present && sha256(await readFile(file)) === image.sha256) kept.set(image.file, image);
  }
  return kept;
}

async function writeIndex(file: string, index: ImageIndex): Promise<E.Either<StudyError, true>> {
  return writeJsonFile(file, index).then(
    () => E.right(true),
    (error: unknown) => E.left({ _tag: 'WriteFailed', path: file, reason: errorReason(error) }),
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
