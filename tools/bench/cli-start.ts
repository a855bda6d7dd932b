/**
 * Start-up time of the built CLI: wall time of `node apps/cli/bin/moral-plantain.js --version`,
 * `--help`, `stats --help` and `env --help` against a bare `node -e 0`, each spawned with this Node
 * (process.execPath, no flags), in alternating rounds (the order rotates each round, which cancels
 * the drift of a shared machine) after warm-ups. Prints min / median / max per command and the
 * ratio of medians to `node -e 0`; the goal is `--version` within 2x of bare Node. Needs the built
 * CLI (npx nx run cli:build). ROUNDS (default 15) and WARMUPS (default 2) set the run counts.
 * Run from the repository root:
 * node --conditions=@moral-plantain/source --import tsx tools/bench/cli-start.ts
 */
import { availableParallelism } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import { builtCli, REPO_ROOT } from './support/built-cli.js';
import { formatSummary, summarize } from './support/summary.js';
import { timeNode } from './support/timed-process.js';

const rounds = Number(process.env['ROUNDS'] ?? 15);
const warmups = Number(process.env['WARMUPS'] ?? 2);
const GOAL_RATIO = 2;

interface Command {
  readonly label: string;
  readonly args: readonly string[];
  readonly times: number[];
}

function main(): number {
  const cli = builtCli();
  if (E.isLeft(cli)) {
    process.stderr.write(`${cli.left}\n`);
    return 1;
  }
  const command = (label: string, args: readonly string[]): Command => ({ label, args, times: [] });
  const baseline = command('node -e 0', ['-e', '0']);
  const version = command('moral-plantain --version', [cli.right, '--version']);
  const commands = [baseline, version, command('moral-plantain --help', [cli.right, '--help']), command('moral-plantain stats --help', [cli.right, 'stats', '--help']), command('moral-plantain env --help', [cli.right, 'env', '--help'])];
  for (let i = 0; i < warmups; i++) for (const c of commands) timeNode(c.args, REPO_ROOT);
  for (let r = 0; r < rounds; r++) {
    const shift = r % commands.length;
    for (const c of [...commands.slice(shift), ...commands.slice(0, shift)]) c.times.push(timeNode(c.args, REPO_ROOT).ms);
  }
  const base = summarize(baseline.times).median;
  process.stdout.write(`CLI start-up: node ${process.version}, ${availableParallelism()} cores, ${rounds} alternating rounds after ${warmups} warm-ups; wall time per process (min / median / max)\n`);
  for (const c of commands) {
    const s = summarize(c.times);
    const vsBase = c === baseline ? '' : `  ${(s.median / base).toFixed(2)}x node -e 0`;
    process.stdout.write(`${`  ${c.label.padEnd(29)} ${formatSummary(s, 1, 'ms').padEnd(30)}${vsBase}`.trimEnd()}\n`);
  }
  const ratio = summarize(version.times).median / base;
  process.stdout.write(`goal: --version within ${GOAL_RATIO}x of bare node -e 0: ${ratio.toFixed(2)}x, ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}\n`);
  return 0;
}

process.exitCode = main();
