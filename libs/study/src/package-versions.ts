import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Packages whose installed versions a run records. */
const RECORDED = [
  '@moral-plantain/study',
  '@moral-plantain/stats',
  '@moral-plantain/formats',
  '@moral-plantain/hooks',
  '@moral-plantain/stimuli',
  '@moral-plantain/model-builder',
  '@moral-plantain/model-runtime',
  '@moral-plantain/report',
  'onnxruntime-node',
];

/** Name -> version of Node.js and of the packages taking part in a run, as installed, plus `extra` (e.g. the command line's own). */
export function packageVersions(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { node: process.versions.node, ...extra };
  for (const name of RECORDED) {
    try {
      versions[name] = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  return versions;
}
