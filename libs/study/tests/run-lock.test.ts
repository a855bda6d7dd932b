import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { hostName } from '@moral-plantain/formats';
import { acquireRunLock, describeStudyError, parseRunLockRecord, RUN_LOCK_FORMAT, RUN_LOCK_TIMING, type StudyError } from '../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'mp-run-lock-'));
let n = 0;
const lockFile = () => path.join(root, `case-${++n}.lock`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes a lock as a holder described by `holder` would, last refreshed `ageMs` ago. */
function writeLock(file: string, holder: { host: string; pid: number; token?: string }, ageMs: number): void {
  writeFileSync(file, `${JSON.stringify({ format: RUN_LOCK_FORMAT, host: holder.host, pid: holder.pid, started: '2026-01-02T03:04:05.000Z', token: holder.token ?? 'theirs' })}\n`);
  const refreshed = new Date(Date.now() - ageMs);
  utimesSync(file, refreshed, refreshed);
}

const holderOf = (file: string) => parseRunLockRecord(readFileSync(file, 'utf8'));
const locked = (result: E.Either<StudyError, unknown>) => (E.isLeft(result) && result.left._tag === 'Locked' ? result.left : null);

describe('the run lock', () => {
  it('respects a lock of another machine whose heartbeat is fresh, and says who holds it, since when and what to do', async () => {
    const file = lockFile();
    writeLock(file, { host: 'gpu-node-7', pid: 4242 }, 15_000);
    const result = await acquireRunLock(file, root)();
    expect(locked(result)).toMatchObject({ pid: 4242, host: 'gpu-node-7', started: '2026-01-02T03:04:05.000Z' });
    expect(locked(result)!.ageMs).toBeGreaterThanOrEqual(15_000);
    expect(locked(result)!.ageMs).toBeLessThan(20_000);
    const { message, hint } = describeStudyError(E.isLeft(result) ? result.left : (null as never));
    expect(message).toBe(`Another run (process 4242 on gpu-node-7, started 2026-01-02 03:04:05 UTC; its lock was refreshed ${Math.round(locked(result)!.ageMs / 1000)} s ago) is writing into ${root}.`);
    expect(hint).toContain('refreshes its lock every 10 s');
    expect(hint).toContain('not refreshed for 60 s');
    expect(hint).toContain(`remove ${file} and run again`);
    expect(holderOf(file)?.host).toBe('gpu-node-7');
  });

  it("takes over a lock of another machine once its heartbeat is older than the stale timeout", async () => {
    const file = lockFile();
    writeLock(file, { host: 'gpu-node-7', pid: 4242 }, RUN_LOCK_TIMING.staleAfterMs + 1_000);
    const result = await acquireRunLock(file, root)();
    expect(E.isRight(result)).toBe(true);
    expect(holderOf(file)).toMatchObject({ host: hostName(), pid: process.pid });
    if (E.isRight(result)) await result.right();
    expect(() => statSync(file)).toThrow();
  });

  it('takes over a lock of this machine at once when its process is gone, and keeps one whose process runs', async () => {
    const dead = lockFile();
    writeLock(dead, { host: hostName(), pid: 4_194_305 }, 0);
    const taken = await acquireRunLock(dead, root)();
    expect(E.isRight(taken) && holderOf(dead)?.pid).toBe(process.pid);
    if (E.isRight(taken)) await taken.right();

    const live = lockFile();
    writeLock(live, { host: hostName(), pid: process.pid }, 1_000);
    expect(locked(await acquireRunLock(live, root)())?.pid).toBe(process.pid);
    // Its process runs but has not refreshed the lock for longer than the timeout: stopped, or the pid was reused.
    writeLock(live, { host: hostName(), pid: process.pid }, RUN_LOCK_TIMING.staleAfterMs + 1_000);
    const stalled = await acquireRunLock(live, root)();
    expect(E.isRight(stalled) && holderOf(live)?.token).not.toBe('theirs');
    if (E.isRight(stalled)) await stalled.right();
  });

  it('reads the bare pid of an older version as a process of this machine', async () => {
    const file = lockFile();
    writeFileSync(file, `${process.pid}\n`);
    expect(locked(await acquireRunLock(file, root)())).toMatchObject({ pid: process.pid, host: hostName(), started: null });
    writeFileSync(file, '4194305\n');
    const taken = await acquireRunLock(file, root)();
    expect(E.isRight(taken)).toBe(true);
    if (E.isRight(taken)) await taken.right();
  });

  it('refreshes its heartbeat while held, stops when released, and never removes a lock that is no longer its own', async () => {
    const timing = { heartbeatMs: 40, staleAfterMs: 400, emptyGraceMs: 100 };
    const file = lockFile();
    let lost = 0;
    const held = await acquireRunLock(file, root, { timing, onLost: () => lost++ })();
    if (E.isLeft(held)) throw new Error(held.left._tag);
    const old = new Date(Date.now() - 300_000);
    utimesSync(file, old, old);
    await sleep(200);
    expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(1_000);
    // Another process took the lock over (this one had stalled past the timeout): the heartbeat notices, release leaves it.
    writeLock(file, { host: 'gpu-node-7', pid: 4242, token: 'the-new-holder' }, 0);
    await sleep(200);
    expect(lost).toBe(1);
    await held.right();
    expect(holderOf(file)?.token).toBe('the-new-holder');

    const second = lockFile();
    const again = await acquireRunLock(second, root, { timing })();
    if (E.isLeft(again)) throw new Error(again.left._tag);
    await again.right();
    expect(() => statSync(second)).toThrow();
  });

  it('waits for an empty lock file being written, and takes it over once it stays empty', async () => {
    const file = lockFile();
    writeFileSync(file, '');
    const started = Date.now();
    const taken = await acquireRunLock(file, root, { timing: { heartbeatMs: 1_000, staleAfterMs: 5_000, emptyGraceMs: 300 } })();
    expect(E.isRight(taken)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    if (E.isRight(taken)) await taken.right();
  });

  it('does not keep the process alive', async () => {
    // The process holds the lock (never released) and has nothing else to do: it must exit at once, not at a heartbeat.
    const script = `import { acquireRunLock } from ${JSON.stringify(path.join(import.meta.dirname, '../src/run-lock.js'))}; const r = await acquireRunLock(${JSON.stringify(lockFile())}, '.')(); const t = Date.now(); process.on('exit', () => console.log(r._tag + ' ' + (Date.now() - t)));`;
    const { status, stdout, stderr } = await runNode(['--input-type=module', '-e', script]);
    const lingered = /^Right (\d+)$/m.exec(stdout);
    expect(lingered, `${stdout}${stderr}`).not.toBeNull();
    expect(status).toBe(0);
    expect(Number(lingered![1])).toBeLessThan(RUN_LOCK_TIMING.heartbeatMs / 2);
  }, 60_000);

  it('lets exactly one of several processes take over a stale lock', async () => {
    const contenders = 4;
    const rounds = 4;
    const files = Array.from({ length: rounds }, (_, round) => {
      const file = lockFile();
      // Half the rounds race for a lock of another machine gone quiet, half for one whose process is gone.
      if (round % 2 === 0) writeLock(file, { host: 'gpu-node-7', pid: 4242 }, RUN_LOCK_TIMING.staleAfterMs + 5_000);
      else writeLock(file, { host: hostName(), pid: 4_194_305 }, 0);
      return file;
    });
    // Every contender starts each round at the same moment, once all of them are ready.
    const go = path.join(root, 'go');
    const children = Array.from({ length: contenders }, () => startNode([path.join(import.meta.dirname, 'fixtures', 'lock-contender.ts'), go, ...files]));
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, String(Date.now() + 300));
    const runs = await Promise.all(children.map((c) => c.done));
    const outcomes = runs.flatMap((r) => r.stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { file: string; pid: number; late: number; won: boolean; tag?: string; holder?: number }));
    expect(outcomes).toHaveLength(contenders * rounds);
    // Each attempt came well before the winners let go (1.5 s after the last round), or the race would prove nothing.
    expect(Math.max(...outcomes.map((o) => o.late))).toBeLessThan(1_000);
    for (const file of files) {
      const round = outcomes.filter((o) => o.file === file);
      const winners = round.filter((o) => o.won);
      expect(winners, `winners for ${path.basename(file)}: ${JSON.stringify(round)}`).toHaveLength(1);
      expect(holderOf(file)?.pid).toBe(winners[0]!.pid);
      for (const loser of round.filter((o) => !o.won)) expect(loser).toMatchObject({ tag: 'Locked', holder: winners[0]!.pid });
    }
  }, 180_000);
});

/** Starts node with the workspace's TypeScript loader (the libraries' sources, as the tests use them): `ready` once it prints a first line, `done` at its exit. */
function startNode(args: readonly string[]): { ready: Promise<void>; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--conditions=@moral-plantain/source', '--import', 'tsx', ...args], { cwd: import.meta.dirname });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('\n')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => {
      markReady();
      resolve({ status, stdout, stderr });
    }),
  );
  return { ready, done };
}

const runNode = (args: readonly string[]) => startNode(args).done;
