/** Stages of a probe run, in order. */
export type ProbeStage = 'references' | 'tap' | 'load' | 'encode' | 'transformer' | 'done';

/** A progress event: the stage, prompts finished of the total (cached ones included), and the estimated seconds left. */
export interface ProbeProgress {
  readonly stage: ProbeStage;
  /** Prompts finished so far (unique prompts; with reference images per pair, unique prompt and image pairs). */
  readonly done: number;
  /** Prompts in the run, counted as `done` (pairs, while the `references` stage runs). */
  readonly total: number;
  /** Prompts served from the cache so far. */
  readonly cached: number;
  /** Estimated seconds left (null until a prompt has been computed). */
  readonly etaSeconds: number | null;
}
