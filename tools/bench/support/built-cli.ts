import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';

/** The repository root (this file is tools/bench/support/built-cli.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The CLI's bin script, relative to the repository root. */
export const CLI_BIN = 'apps/cli/bin/moral-plantain.js';

const BUILD_HINT = 'Build it first, from the repository root: npx nx run cli:build';

/** The built CLI's bin script (relative to `REPO_ROOT`) once `--version` runs, or why it cannot: its bundle not built, or broken. */
export function builtCli(): E.Either<string, string> {
  if (!existsSync(path.join(REPO_ROOT, 'apps/cli/dist/bundle/main.js'))) return E.left(`The CLI is not built: apps/cli/dist/bundle/main.js is missing. ${BUILD_HINT}`);
  const child = spawnSync(process.execPath, [CLI_BIN, '--version'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (child.status !== 0) return E.left(`The built CLI does not run (${CLI_BIN} --version exited with ${child.status ?? child.signal}):\n${child.stderr.trim()}\n${BUILD_HINT}`);
  return E.right(CLI_BIN);
}
