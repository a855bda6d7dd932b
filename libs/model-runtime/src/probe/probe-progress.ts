/** Stages of a probe run, in order. */
export type ProbeStage = 'references' | 'tap' | 'load' | 'encode' | 'transformer' | 'done';

/** A progress event: the stage, prompts finished of the total (cached ones included), and the estimated seconds left. */
export interface ProbeProgress {
  readonly stage: ProbeStage;
  /** Unique prompts finished so far. */
  readonly done: number;
  /** Unique prompts in the run. */
  readonly total: number;
  /** Prompts served from the cache so far. */
  readonly cached: number;
  /** Estimated seconds left (null until a prompt has been computed). */
  readonly etaSeconds: number | null;
}
