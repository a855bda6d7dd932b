/** Stages of a probe run, in order: every prompt still to compute is embedded (`encode`) before the transformer runs any (`transformer`). */
export type ProbeStage = 'references' | 'tap' | 'load' | 'encode' | 'transformer' | 'done';

/** A progress event: the stage, its items finished of its total (cached ones included), and the estimated seconds left. */
export interface ProbeProgress {
  readonly stage: ProbeStage;
  /**
   * Items finished so far: in `encode`, prompts whose text embedding is ready (of those the
   * transformer still has to run); else prompts finished (unique prompts; with reference images per
   * pair, unique prompt and image pairs).
   */
  readonly done: number;
  /** Items of the stage, counted as `done` (pairs, while the `references` stage runs). */
  readonly total: number;
  /** Items served from the cache so far (embeddings in `encode`, per-unit vectors otherwise). */
  readonly cached: number;
  /** Estimated seconds left in the stage (null until an item has been computed). */
  readonly etaSeconds: number | null;
}
