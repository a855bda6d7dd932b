import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { hostName } from '@moral-plantain/formats';
import { encodeRunLockRecord, judgeRunLock, parseRunLockRecord, type RunLockRecord } from './run-lock-record.js';
import { RUN_LOCK_TIMING, type RunLockTiming } from './run-lock-timing.js';
import type { StudyError } from './study-error.js';

/** Gives a lock back: stops its heartbeat and removes the lock file if it is still ours. */
export type ReleaseLock = () => Promise<void>;

/** Options of `acquireRunLock`. */
export interface RunLockOptions {
  /** Heartbeat and staleness timing (default `RUN_LOCK_TIMING`). */
  readonly timing?: RunLockTiming;
  /** Called once if the lock stops being ours while held (another process took it over after this one stalled past the stale timeout). */
  readonly onLost?: () => void;
}

/** How many times acquiring looks again after losing a race for the lock. */
const ATTEMPTS = 40;

/**
 * Takes a run folder for this process, safely on a disk that several machines share. The lock
 * file, created exclusively, names this machine, this process, when it took the lock and a random
 * token; while held, a heartbeat refreshes its modification time (the timer never keeps the process
 * alive). A lock that is stale (`RUN_LOCK_TIMING`) is taken over atomically: of several processes
 * trying at once, exactly one wins; a live one is refused with its holder, host and age.
 */
export function acquireRunLock(file: string, dir: string, options: RunLockOptions = {}): TE.TaskEither<StudyError, ReleaseLock> {
  return async () => {
    const timing = options.timing ?? RUN_LOCK_TIMING;
    const record: RunLockRecord = { host: hostName(), pid: process.pid, started: new Date().toISOString(), token: randomBytes(12).toString('hex') };
    const text = encodeRunLockRecord(record);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const created = await createExclusive(file, text);
      if (created === 'created') return E.right(holdLock(file, record, timing, options.onLost));
      if (created !== 'exists') return E.left({ _tag: 'LockFailed', dir, file, reason: created.failed });
      const seen = await readLock(file);
      if (seen === 'gone') continue;
      if ('failed' in seen) return E.left({ _tag: 'LockFailed', dir, file, reason: seen.failed });
      const holder = parseRunLockRecord(seen.text);
      const verdict = judgeRunLock(holder, seen.mtimeMs, Date.now(), timing);
      if (verdict.state === 'live') {
        return E.left({ _tag: 'Locked', dir, file, pid: holder?.pid ?? null, host: holder?.host ?? null, started: holder?.started ?? null, ageMs: verdict.ageMs });
      }
      if (verdict.state === 'stale') {
        const taken = await takeOver(file, seen, holder, text, timing);
        if (taken === 'taken') return E.right(holdLock(file, record, timing, options.onLost));
        if (typeof taken === 'object') return E.left({ _tag: 'LockFailed', dir, file, reason: taken.failed });
      }
      // A lock file being written: look again when it would count as abandoned. Someone else taking it over: look again shortly.
      await sleep(verdict.state === 'pending' ? timing.emptyGraceMs - verdict.ageMs + 10 : 20 + Math.floor(Math.random() * 60));
    }
    return E.left({ _tag: 'LockFailed', dir, file, reason: 'another process keeps taking it' });
  };
}

/**
 * Replaces the stale lock `seen` with ours. Only the process that creates the claim file named after
 * that very lock (its token, or a hash of an older lock's text and time) may remove it, so of several
 * processes taking over at once one wins; the others see the winner's fresh lock. A claim left by a
 * process that died while holding it is passed over once it is stale, by claiming the next name.
 */
async function takeOver(file: string, seen: SeenLock, holder: RunLockRecord | null, text: string, timing: RunLockTiming): Promise<'taken' | 'busy' | 'changed' | { failed: string }> {
  const id = holder?.token ?? createHash('sha256').update(`${seen.text}\0${seen.mtimeMs}`).digest('hex').slice(0, 24);
  for (let level = 0; level < 4; level++) {
    const claim = `${file}.takeover-${id}${level === 0 ? '' : `.${level}`}`;
    const claimed = await createExclusive(claim, text);
    if (claimed === 'exists') {
      const age = await stat(claim).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > timing.staleAfterMs) continue;
      return 'busy';
    }
    if (claimed !== 'created') return claimed;
    try {
      const now = await readLock(file);
      // Refreshed, released or replaced since it was judged stale: not ours to remove.
      if (now === 'gone' || 'failed' in now || now.text !== seen.text || now.mtimeMs !== seen.mtimeMs) return 'changed';
      await rm(file, { force: true });
      const created = await createExclusive(file, text);
      return created === 'created' ? 'taken' : created === 'exists' ? 'changed' : created;
    } finally {
      await rm(claim, { force: true }).catch(() => undefined);
    }
  }
  return 'busy';
}

/** Starts the heartbeat of a lock just taken and returns what releases it. */
function holdLock(file: string, record: RunLockRecord, timing: RunLockTiming, onLost: (() => void) | undefined): ReleaseLock {
  let beating = false;
  let lost = false;
  const timer = setInterval(() => {
    if (beating || lost) return;
    beating = true;
    void heartbeat(file, record)
      .then((stillOurs) => {
        if (stillOurs || lost) return;
        lost = true;
        clearInterval(timer);
        onLost?.();
      })
      .finally(() => {
        beating = false;
      });
  }, timing.heartbeatMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    if (lost) return;
    lost = true;
    if (await isOurs(file, record)) await rm(file, { force: true });
  };
}

/** Refreshes the lock's modification time if it is still ours; false when it is not (a transient read error counts as ours). */
async function heartbeat(file: string, record: RunLockRecord): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : null));
  if (text === null) return true;
  if (parseRunLockRecord(text)?.token !== record.token) return false;
  const now = new Date();
  await utimes(file, now, now).catch(() => undefined);
  return true;
}

async function isOurs(file: string, record: RunLockRecord): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return parseRunLockRecord(text)?.token === record.token;
}

/** A lock file as read: its text and when it was last refreshed. */
interface SeenLock {
  readonly text: string;
  readonly mtimeMs: number;
}

async function readLock(file: string): Promise<SeenLock | 'gone' | { failed: string }> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return { failed: 'EISDIR' };
    return { text: await readFile(file, 'utf8'), mtimeMs: info.mtimeMs };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'gone' : { failed: code ?? String(error) };
  }
}

/** Creates `file` with `text` unless it exists; a file that cannot be written completely is removed again. */
async function createExclusive(file: string, text: string): Promise<'created' | 'exists' | { failed: string }> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EEXIST' ? 'exists' : { failed: code ?? String(error) };
  }
  try {
    await handle.writeFile(text);
    await handle.close();
    return 'created';
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(file, { force: true }).catch(() => undefined);
    return { failed: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}
