import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Packages whose versions a run records. */
const RECORDED = [
  '@moral-plantain/cli',
  '@moral-plantain/stats',
  '@moral-plantain/hooks',
  '@moral-plantain/stimuli',
  '@moral-plantain/model-runtime',
  '@moral-plantain/report',
  'onnxruntime-node',
];

/** Name -> version of the packages taking part in a run, as installed. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { node: process.versions.node };
  for (const name of RECORDED) {
    try {
      const file = name === '@moral-plantain/cli' ? new URL('../../package.json', import.meta.url) : require.resolve(`${name}/package.json`);
      versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  return versions;
}
