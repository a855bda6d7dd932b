import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { DEFAULT_RESOLUTION, DEFAULT_TEXT_LENGTH, errorReason, modelKindOf, writeFileAtomic } from '@moral-plantain/formats';
import {
  createImageGenerator,
  DEFAULT_STEPS,
  loadQwen3Tokenizer,
  NEGATIVE_PROMPT,
  qwen3TokenCounter,
  qwen3Tokenize,
  usesGuidance,
  writePngFile,
  type ModelFolder,
  type SamplingSettings,
} from '@moral-plantain/model-runtime';
import { loadStimulusSet, validateStimulusSet, type StimulusSet } from '@moral-plantain/stimuli';
import { embeddedModel } from '../embedded-model.js';
import { acquireRunLock } from '../run-lock.js';
import { TINY_MODEL_NAME } from '../run-provenance.js';
import { sourcedModel, type SourcedModel } from '../sourced-model.js';
import type { StudyError } from '../study-error.js';
import type { StudyProgress } from '../study-progress.js';
import { CONTACT_SHEET_FILE, contactSheet } from './contact-sheet.js';
import type { GenerateSettings } from './generate-settings.js';
import { generateImageSet, type ImageJob } from './image-set.js';

/** What `generateStudy` made. */
export interface GenerateOutcome {
  /** The PNG file (a prompt) or the folder (a set). */
  readonly out: string;
  /** Every image file, absolute. */
  readonly images: readonly string[];
  /** The contact sheet (a set), or null. */
  readonly contactSheet: string | null;
  readonly generated: number;
  readonly reused: number;
  /** Whether the model is the embedded tiny one (its images are noise-like). */
  readonly tinyModel: boolean;
  /** The sampling as run: steps, guidance, whether guidance ran, seed, [height, width]. */
  readonly sampling: SamplingSettings & { readonly guided: boolean };
  /** Wall seconds per denoising step over the images sampled now, or null when none was. */
  readonly secondsPerStep: number | null;
  readonly devices: readonly string[];
  readonly seconds: number;
}

/** Options of `generateStudy`. */
export interface GenerateOptions {
  readonly progress: StudyProgress;
  /** Stops between images; the images written so far stay and a rerun resumes. */
  readonly signal?: AbortSignal;
}

/** The steps a folder's checkpoint is sampled with by default: 4 for distilled klein, the pipeline's 50 otherwise. */
export function defaultSteps(folder: ModelFolder): number {
  return folder.sampler.isDistilled ? DEFAULT_STEPS.distilled : DEFAULT_STEPS.base;
}

/**
 * `moral-plantain generate`: one prompt to one PNG file, or both prompts of every pair of a
 * stimulus set (and, asked for, each pair's neutral scene) to `images/<pair>-<a|b|neutral>.png` in a
 * folder with `images.json` and a contact sheet, `index.html`, that shows each pair's a and b side
 * by side. The model is a folder with a VAE, or the embedded tiny model (built into the set folder's
 * cache, or a temporary folder for a prompt). A set folder is locked while it is written; its images
 * are written atomically and a rerun keeps those already made with the same settings.
 */
export function generateStudy(settings: GenerateSettings, options: GenerateOptions): TE.TaskEither<StudyError, GenerateOutcome> {
  return async () => {
    const started = performance.now();
    const out = path.resolve(settings.out);
    if (settings.prompt !== null) {
      const scratch = settings.model === null ? await mkdtemp(path.join(tmpdir(), 'moral-plantain-tiny-')) : null;
      try {
        return await generatePrompt(settings, settings.prompt, out, scratch, options, started);
      } finally {
        if (scratch) await rm(scratch, { recursive: true, force: true });
      }
    }
    const made = await mkdir(out, { recursive: true }).then(
      () => null,
      (error: NodeJS.ErrnoException) => error.code ?? String(error),
    );
    if (made !== null) return E.left({ _tag: 'OutFolderUnusable', dir: out, reason: made });
    const lock = await acquireRunLock(path.join(out, '.moral-plantain.lock'), out)();
    if (E.isLeft(lock)) return lock;
    try {
      return await generateSet(settings, settings.stimuli!, out, options, started);
    } finally {
      options.progress.finish();
      await lock.right();
    }
  };
}

async function generatePrompt(settings: GenerateSettings, prompt: string, out: string, scratch: string | null, options: GenerateOptions, started: number): Promise<E.Either<StudyError, GenerateOutcome>> {
  const model = await loadModel(settings, scratch, options.progress);
  if (E.isLeft(model)) return model;
  const { folder, tokenize } = model.right;
  const sampling = samplingOf(settings, folder);
  const generator = createImageGenerator(folder, { session: { device: settings.device }, tokenize });
  try {
    const guided = usesGuidance(sampling.guidance, folder.sampler.isDistilled);
    const embeddings = await generator.embed(guided ? [prompt, NEGATIVE_PROMPT] : [prompt])();
    if (E.isLeft(embeddings)) return E.left({ _tag: 'Probe', error: embeddings.left });
    await generator.releaseTextEncoder();
    const made = await generator.generate(embeddings.right.get(prompt)!, guided ? embeddings.right.get(NEGATIVE_PROMPT)! : null, sampling, null, ({ step, steps }) =>
      options.progress.update({ stage: 'steps', done: step, total: steps }),
    )();
    options.progress.finish();
    if (E.isLeft(made)) return E.left({ _tag: 'Probe', error: made.left });
    const written = await writePngFile(out, made.right.image)();
    if (E.isLeft(written)) return E.left({ _tag: 'WriteFailed', path: out, reason: written.left._tag === 'ImageWriteFailed' ? written.left.reason : written.left._tag });
    return E.right({
      out,
      images: [out],
      contactSheet: null,
      generated: 1,
      reused: 0,
      tinyModel: modelKindOf(folder.manifest) === 'tiny-seeded',
      sampling: { ...sampling, guided },
      secondsPerStep: made.right.seconds.steps / sampling.steps,
      devices: generator.devices(),
      seconds: (performance.now() - started) / 1000,
    });
  } finally {
    await generator.release();
  }
}

async function generateSet(settings: GenerateSettings, stimuli: string, out: string, options: GenerateOptions, started: number): Promise<E.Either<StudyError, GenerateOutcome>> {
  const { progress } = options;
  // The embedded model's tokenizer is the packaged one: a set it cannot draw is refused before the model is built.
  if (settings.model === null) {
    const packaged = await loadQwen3Tokenizer();
    if (E.isLeft(packaged)) return E.left({ _tag: 'Tokenizer', error: packaged.left });
    const early = checkedSet(stimuli, qwen3TokenCounter(packaged.right, DEFAULT_TEXT_LENGTH), settings.neutral);
    if (E.isLeft(early)) return early;
  }
  const model = await loadModel(settings, path.join(out, '.cache', 'model-tiny'), progress);
  if (E.isLeft(model)) return model;
  const { folder, tokenize, tokenizer, textLength } = model.right;
  const set = checkedSet(stimuli, qwen3TokenCounter(tokenizer, textLength), settings.neutral);
  if (E.isLeft(set)) return set;
  progress.log(`stimuli: ${set.right.name} ${set.right.version}, ${set.right.pairs.length} pairs`);
  const jobs: ImageJob[] = set.right.pairs.flatMap((pair) => [
    { file: `images/${pair.id}-a.png`, prompt: pair.a, pair: pair.id, condition: 'a' as const },
    { file: `images/${pair.id}-b.png`, prompt: pair.b, pair: pair.id, condition: 'b' as const },
    ...(settings.neutral ? [{ file: `images/${pair.id}-neutral.png`, prompt: pair.neutral!, pair: pair.id, condition: 'neutral' as const }] : []),
  ]);
  const sampling = samplingOf(settings, folder);
  const tiny = modelKindOf(folder.manifest) === 'tiny-seeded';
  const generator = createImageGenerator(folder, { session: { device: settings.device }, tokenize });
  try {
    const made = await generateImageSet(out, jobs, {
      folder,
      generator,
      tokenize,
      settings: sampling,
      modelName: tiny ? TINY_MODEL_NAME : (folder.manifest?.name ?? path.basename(folder.dir)),
      progress,
      resume: settings.resume,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (E.isLeft(made)) return made;
    const note = tiny ? 'These images come from the tiny seeded-random model: they are noise-like and check the pipeline, they show nothing about FLUX.2.' : null;
    const sheet = path.join(out, CONTACT_SHEET_FILE);
    const wrote = await writeFileAtomic(sheet, contactSheet({ set: set.right, index: made.right.index, note })).then(
      () => E.right(true),
      (error: unknown) => E.left<StudyError, true>({ _tag: 'WriteFailed', path: sheet, reason: errorReason(error) }),
    );
    if (E.isLeft(wrote)) return wrote;
    return E.right({
      out,
      images: jobs.map((job) => path.join(out, job.file)),
      contactSheet: sheet,
      generated: made.right.generated,
      reused: made.right.reused,
      tinyModel: tiny,
      sampling: { ...sampling, guided: made.right.index.sampling.guided },
      secondsPerStep: made.right.secondsPerStep,
      devices: generator.devices(),
      seconds: (performance.now() - started) / 1000,
    });
  } finally {
    await generator.release();
  }
}

/** The model folder (the embedded tiny one built into `tinyDir` when none is given; a pipeline folder or repo id built once into the model cache), which must have a VAE, with its tokenizer. */
async function loadModel(settings: GenerateSettings, tinyDir: string | null, progress: StudyProgress) {
  if (settings.model === null) progress.log('model: the embedded TINY FLUX.2-architecture model with seeded random weights (not FLUX.2 klein 4B); its images are noise-like');
  const model = settings.model === null ? await embeddedModel(tinyDir!)() : E.map(({ folder }: SourcedModel) => folder)(await sourcedModel(settings.model, settings.revision, settings, progress));
  if (E.isLeft(model)) return model;
  const folder = model.right;
  if (!folder.vae) return E.left<StudyError, never>({ _tag: 'Probe', error: { _tag: 'NoVae', dir: folder.dir, needed: 'generating images' } });
  const tokenizer = await loadQwen3Tokenizer(folder.tokenizerDir ?? undefined);
  if (E.isLeft(tokenizer)) return E.left<StudyError, never>({ _tag: 'Tokenizer', error: tokenizer.left });
  const configured = folder.manifest?.textEncoder?.config.maxLength;
  const textLength = typeof configured === 'number' && Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_TEXT_LENGTH;
  return E.right({ folder, tokenizer: tokenizer.right, textLength, tokenize: qwen3Tokenize(tokenizer.right, { maxLength: textLength }) });
}

/** Sampling settings: the checkpoint's default steps, the model's default resolution. */
function samplingOf(settings: GenerateSettings, folder: ModelFolder): SamplingSettings {
  return {
    steps: settings.steps ?? defaultSteps(folder),
    guidance: settings.guidance,
    seed: settings.seed,
    resolution: settings.resolution ?? folder.manifest?.resolution ?? DEFAULT_RESOLUTION,
  };
}

/**
 * The set, loaded and validated leniently (token-count and design checks only warn: a draft set can
 * be looked at); with `neutral`, every pair must give a neutral description.
 */
function checkedSet(nameOrFile: string, counter: ReturnType<typeof qwen3TokenCounter>, neutral: boolean): E.Either<StudyError, StimulusSet> {
  const loaded = loadStimulusSet(nameOrFile);
  if (E.isLeft(loaded)) return E.left({ _tag: 'StimuliUnloadable', nameOrFile, error: loaded.left });
  const { set, source } = loaded.right;
  const validation = validateStimulusSet(set, { tokenCounter: counter, source, strict: false });
  const errors = validation.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) return E.left({ _tag: 'StimuliInvalid', nameOrFile, set: set.name, problems: errors });
  if (neutral) {
    const lacking = set.pairs.filter((p) => p.neutral === undefined).map((p) => p.id);
    if (lacking.length > 0) return E.left({ _tag: 'NoNeutralDescriptions', nameOrFile, set: set.name, pairs: lacking });
  }
  return E.right(set);
}
