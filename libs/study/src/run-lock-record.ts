import { hostName, processState } from '@moral-plantain/formats';
import type { RunLockTiming } from './run-lock-timing.js';

/** The `format` of a run lock file. */
export const RUN_LOCK_FORMAT = 'moral-plantain/run-lock@1';

/** What a run lock file says about its holder: the machine, the process, when it took the lock, and a token no other holder has. */
export interface RunLockRecord {
  readonly host: string;
  readonly pid: number;
  /** When the holder took the lock (ISO 8601), or null for a lock written by an older version (a bare pid). */
  readonly started: string | null;
  /** Null for a lock written by an older version. */
  readonly token: string | null;
}

/** Whether a lock found on disk still holds, and why. */
export type LockVerdict =
  | { readonly state: 'live'; readonly ageMs: number }
  | { readonly state: 'stale'; readonly ageMs: number; readonly why: string }
  /** An empty lock file, young enough that its creator may still be writing it. */
  | { readonly state: 'pending'; readonly ageMs: number };

/** The text of a lock file for `record`. */
export function encodeRunLockRecord(record: RunLockRecord): string {
  return `${JSON.stringify({ format: RUN_LOCK_FORMAT, host: record.host, pid: record.pid, started: record.started, token: record.token })}\n`;
}

/** The holder a lock file names: ours (JSON), an older version's (a bare pid, of this machine), or null when it is empty or unreadable. */
export function parseRunLockRecord(text: string): RunLockRecord | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { host: hostName(), pid: Number(trimmed), started: null, token: null };
  try {
    const value = JSON.parse(trimmed) as Record<string, unknown>;
    if (value['format'] !== RUN_LOCK_FORMAT || typeof value['host'] !== 'string' || !Number.isInteger(value['pid'])) return null;
    return {
      host: value['host'],
      pid: value['pid'] as number,
      started: typeof value['started'] === 'string' ? value['started'] : null,
      token: typeof value['token'] === 'string' ? value['token'] : null,
    };
  } catch {
    return null;
  }
}

/** Whether the lock of `holder`, last refreshed at `refreshedMs`, still holds at `nowMs` (see `RUN_LOCK_TIMING`). */
export function judgeRunLock(holder: RunLockRecord | null, refreshedMs: number, nowMs: number, timing: RunLockTiming): LockVerdict {
  const ageMs = Math.max(0, nowMs - refreshedMs);
  if (holder === null) return ageMs > timing.emptyGraceMs ? { state: 'stale', ageMs, why: 'it was never completed' } : { state: 'pending', ageMs };
  const holderProcess = processState(holder.host, holder.pid);
  if (holderProcess === 'gone') return { state: 'stale', ageMs, why: `process ${holder.pid} no longer runs` };
  // A bare pid of an older version has no heartbeat: its running process is all there is to go by.
  if (holderProcess === 'running' && holder.token === null) return { state: 'live', ageMs };
  return ageMs > timing.staleAfterMs ? { state: 'stale', ageMs, why: `it was last refreshed ${Math.round(ageMs / 1000)} s ago` } : { state: 'live', ageMs };
}
