/**
 * The timing of the run folder's lock, in one place. A run refreshes its lock file (its
 * modification time) every `heartbeatMs` while it holds the folder. Another process takes the lock
 * over only when it is stale:
 * - held by a process of this machine that no longer runs: at once;
 * - otherwise (a run on another machine sharing the disk, or a process of this machine that stopped
 *   refreshing, e.g. suspended, or whose pid now belongs to something else): once the lock file has
 *   not been refreshed for `staleAfterMs`, six heartbeats. Machines sharing a disk must agree on
 *   the time to well within that margin (NTP keeps them within a second);
 * - a lock file still empty `emptyGraceMs` after it was created (its creator died between creating
 *   and writing it).
 */
export const RUN_LOCK_TIMING: RunLockTiming = { heartbeatMs: 10_000, staleAfterMs: 60_000, emptyGraceMs: 2_000 };

/** How often a lock is refreshed and when it counts as abandoned (see `RUN_LOCK_TIMING`). */
export interface RunLockTiming {
  /** How often the holder refreshes the lock file, in milliseconds. */
  readonly heartbeatMs: number;
  /** How long a lock may go unrefreshed before it is taken over, in milliseconds. */
  readonly staleAfterMs: number;
  /** How long a lock file may stay empty before it is taken over, in milliseconds. */
  readonly emptyGraceMs: number;
}
