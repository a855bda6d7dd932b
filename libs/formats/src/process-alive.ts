import { hostname } from 'node:os';

/**
 * The name of this machine as the project's locks and staging folders record it: the host name,
 * with anything but letters, digits, `.`, `_` and `-` replaced by `_` (so it can be part of a file name).
 */
export function hostName(): string {
  return hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'unknown-host';
}

/** Whether a process with this pid runs on this machine (ours included; one of another user counts). */
export function isProcessRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether process `pid` of machine `host` (a `hostName()`) runs: `running` or `gone` on this
 * machine; `unknown` on another one, whose processes cannot be seen from here (on a disk that
 * several machines share, a pid means nothing to the others).
 */
export function processState(host: string, pid: number): 'running' | 'gone' | 'unknown' {
  if (host !== hostName()) return 'unknown';
  return isProcessRunning(pid) ? 'running' : 'gone';
}
