import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Where help points for documentation when the package names no `homepage`. */
export const DEFAULT_DOCS_URL = 'https://github.com/moral-plantain/moral-plantain#readme';

/** What the command line says about itself: its version and its documentation. */
export interface CliPackage {
  readonly version: string;
  /** The package's `homepage`, else `DEFAULT_DOCS_URL`. */
  readonly docsUrl: string;
}

/** The CLI's package.json, found by name (from src/, dist/ or the bundle alike): one small read that `--version` makes anyway. */
export function cliPackage(): CliPackage {
  const file = createRequire(import.meta.url).resolve('@moral-plantain/cli/package.json');
  const { version, homepage } = JSON.parse(readFileSync(file, 'utf8')) as { version: string; homepage?: unknown };
  return { version, docsUrl: typeof homepage === 'string' && /^https?:\/\//.test(homepage) ? homepage : DEFAULT_DOCS_URL };
}
