import { spawnSync } from 'node:child_process';

/** How a timed child process ended. */
export interface TimedRun {
  /** Wall time from spawn to exit, in milliseconds. */
  readonly ms: number;
  readonly stdout: string;
}

/** Runs `node ARGS` (this process's Node, without its flags) in `cwd` and times it; throws, with its output, if it fails. */
export function timeNode(args: readonly string[], cwd: string): TimedRun {
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  const ms = performance.now() - start;
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${child.stderr}${child.stdout}`);
  return { ms, stdout: child.stdout };
}
