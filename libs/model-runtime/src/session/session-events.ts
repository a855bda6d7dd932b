/** A session a run opened or released, in the order it happened: what the run held in memory, as data. */
export interface SessionEvent {
  readonly action: 'open' | 'release';
  /** The role (slot) of the session: `text-encoder`, `transformer`, ... */
  readonly slot: string;
  /** The graph file. */
  readonly model: string;
}

/** Where session events go (a log, a test); called synchronously at each open and release. */
export type SessionEventListener = (event: SessionEvent) => void;
