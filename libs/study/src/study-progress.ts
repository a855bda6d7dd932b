/** One progress update of a long stage. */
export interface StageProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  /** Estimated seconds left, when known. */
  readonly etaSeconds?: number | null;
}

/** Where a study reports what it is doing: progress of its stages and one-line messages (a terminal display, a log). */
export interface StudyProgress {
  update(progress: StageProgress): void;
  /** A message on its own line. */
  log(message: string): void;
  /** Ends the current stage's progress. */
  finish(): void;
}
