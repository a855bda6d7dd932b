import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_RESOLUTION, modelKindOf } from '@moral-plantain/formats';
import { createImageGenerator, DEFAULT_GUIDANCE, usesGuidance, type ModelFolder, type ProbeReferences, type SamplingSettings, type Tokenize } from '@moral-plantain/model-runtime';
import type { StimulusSet } from '@moral-plantain/stimuli';
import { defaultSteps } from './generate/generate-study.js';
import { generateImageSet } from './generate/image-set.js';
import { TINY_MODEL_NAME } from './run-provenance.js';
import type { RunSettings } from './run-settings.js';
import type { StudyError } from './study-error.js';
import type { StudyProgress } from './study-progress.js';

/** The value of the `reference` setting that draws each pair's reference image from its neutral description. */
export const GENERATED_REFERENCES = 'generate';

/** Image file extensions looked for in a folder of per-pair reference images, in order. */
const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

/** A run's reference images: what the probe reads, and where they came from. */
export interface RunReferences {
  readonly probe: ProbeReferences;
  /** Given image files (the same for every pair), a folder of one image per pair, or drawn by the model. */
  readonly source: 'files' | 'folder' | 'generated';
  /** How generated references were sampled (null for given images). */
  readonly generation: (SamplingSettings & { readonly guided: boolean }) | null;
}

/** What the references of a run need besides the settings. */
export interface RunReferenceContext {
  readonly folder: ModelFolder;
  readonly set: StimulusSet;
  readonly tokenize: Tokenize;
  /** Where generated reference images are kept between runs (`<out>/.cache/references`). */
  readonly cacheDir: string;
  readonly resolution: readonly [number, number] | null;
  readonly progress: StudyProgress;
  readonly signal?: AbortSignal;
}

/**
 * The reference images the `reference` setting asks for, or null for none: image files for every
 * pair; a folder with `<pair id>.png` (or .jpg, .jpeg, .webp) for each pair; or `generate`, one
 * image per pair drawn by the probed model itself from the pair's neutral description, at the
 * run's seed and resolution (`reference-steps` steps, guidance 4 for base checkpoints), kept in the
 * run's cache so a rerun draws none again.
 */
export async function runReferences(settings: RunSettings, context: RunReferenceContext): Promise<E.Either<StudyError, RunReferences | null>> {
  const reference = settings.reference;
  if (reference === null) return E.right(null);
  const { set } = context;
  if (reference !== GENERATED_REFERENCES) {
    const isDir = await stat(reference).then((s) => s.isDirectory(), () => false);
    if (!isDir) return E.right({ probe: { kind: 'shared', files: reference.split(',').map((f) => path.resolve(f.trim())) }, source: 'files', generation: null });
    const files = new Map<string, readonly string[]>();
    const missing: string[] = [];
    for (const pair of set.pairs) {
      const found = IMAGE_EXTENSIONS.map((ext) => path.join(reference, `${pair.id}${ext}`)).find((f) => existsSync(f));
      if (found) files.set(pair.id, [path.resolve(found)]);
      else missing.push(pair.id);
    }
    if (missing.length > 0) return E.left({ _tag: 'ReferencesMissing', dir: reference, pairs: missing });
    return E.right({ probe: { kind: 'per-pair', files }, source: 'folder', generation: null });
  }
  const lacking = set.pairs.filter((p) => p.neutral === undefined).map((p) => p.id);
  if (lacking.length > 0) return E.left({ _tag: 'NoNeutralDescriptions', nameOrFile: settings.stimuli, set: set.name, pairs: lacking });
  const { folder } = context;
  const sampling: SamplingSettings = {
    steps: settings.referenceSteps ?? defaultSteps(folder),
    guidance: DEFAULT_GUIDANCE,
    seed: settings.seed,
    resolution: context.resolution ?? folder.manifest?.resolution ?? DEFAULT_RESOLUTION,
  };
  context.progress.log(`references: one image per pair from its neutral description, ${sampling.steps} steps, drawn by the probed model`);
  const generator = createImageGenerator(folder, { session: { device: settings.device }, tokenize: context.tokenize });
  try {
    const made = await generateImageSet(
      context.cacheDir,
      set.pairs.map((pair) => ({ file: `${pair.id}.png`, prompt: pair.neutral!, pair: pair.id, condition: 'neutral' as const })),
      {
        folder,
        generator,
        tokenize: context.tokenize,
        settings: sampling,
        modelName: modelKindOf(folder.manifest) === 'tiny-seeded' ? TINY_MODEL_NAME : (folder.manifest?.name ?? path.basename(folder.dir)),
        progress: context.progress,
        resume: settings.resume,
        ...(context.signal ? { signal: context.signal } : {}),
      },
    );
    if (E.isLeft(made)) return made;
    const files = new Map(set.pairs.map((pair) => [pair.id, [path.join(context.cacheDir, `${pair.id}.png`)] as const]));
    return E.right({ probe: { kind: 'per-pair', files }, source: 'generated', generation: { ...sampling, guided: usesGuidance(sampling.guidance, folder.sampler.isDistilled) } });
  } finally {
    await generator.release();
  }
}
