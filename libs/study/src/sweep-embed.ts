import * as E from 'fp-ts/lib/Either.js';
import { embedProbePrompts, type ProbeError } from '@moral-plantain/model-runtime';
import { runFolder } from './run-folder.js';
import type { RunSettings } from './run-settings.js';
import type { StudyOptions } from './run-study.js';
import type { StudyError } from './study-error.js';
import { studyInputs, studyProbeOptions } from './study-inputs.js';

/** Where a sweep cell's prompts are embedded ahead of its run: the shared folders and sessions. */
export interface CellEmbedOptions extends Pick<StudyOptions, 'progress' | 'signal' | 'sessions'> {
  readonly embeddedModelDir: string;
  readonly tappedDir: string;
  readonly embeddingsCacheDir: string;
}

/**
 * The encode phase of a sweep cell ahead of its run: the cell's prompts whose vectors its cache
 * lacks (all of them without `resume`) are embedded into the sweep's shared embeddings cache with
 * the model's text encoder, in the cell's own batches. Run for every cell of a model before any
 * of them, it lets the text encoder load once per model and the transformer stay resident across
 * the cells. Cells conditioned on reference images are left to their own run (their batches
 * depend on the references, which are drawn or read there). Returns the prompts embedded.
 */
export async function embedCellPrompts(settings: RunSettings, options: CellEmbedOptions): Promise<E.Either<StudyError, number>> {
  if (settings.reference !== null) return E.right(0);
  // The cell's own run says what it loads and validates; here only the progress bar shows.
  const progress = { ...options.progress, log: () => undefined };
  const inputs = await studyInputs(settings, options.embeddedModelDir, progress);
  if (E.isLeft(inputs)) return inputs;
  const folder = runFolder(settings.out);
  const embedded = await embedProbePrompts(
    inputs.right.model,
    studyProbeOptions(settings, inputs.right, progress, {
      tappedDir: options.tappedDir,
      ...(settings.resume ? { cacheDir: folder.cache.prompts } : {}),
      embeddingsCacheDir: options.embeddingsCacheDir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.sessions ? { sessions: options.sessions } : {}),
    }),
  )();
  options.progress.finish();
  if (E.isLeft(embedded)) {
    const error: ProbeError = embedded.left;
    return E.left(error._tag === 'Aborted' ? { _tag: 'Interrupted', done: error.done, total: error.total, cacheDir: options.embeddingsCacheDir } : { _tag: 'Probe', error });
  }
  return E.right(embedded.right.encoded);
}
