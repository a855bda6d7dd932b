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
];

/** Name -> version of Node.js and of the packages taking part in a run, as installed, plus `extra` (e.g. the command line's own); `onnxruntime-node` is the ONNX Runtime binding that model-runtime loads. */
export function packageVersions(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { node: process.versions.node, ...extra };
  for (const name of RECORDED) versions[name] = readVersion(() => require.resolve(`${name}/package.json`));
  // The binding travels as @moral-plantain/onnxruntime-node, which carries one onnxruntime-node release unchanged.
  versions['onnxruntime-node'] = readVersion(
    () => createRequire(require.resolve('@moral-plantain/model-runtime/package.json')).resolve('@moral-plantain/onnxruntime-node/package.json'),
    'onnxruntimeNode',
  );
  return versions;
}

function readVersion(locate: () => string, field: 'version' | 'onnxruntimeNode' = 'version'): string {
  try {
    const value = (JSON.parse(readFileSync(locate(), 'utf8')) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : 'unknown';
  } catch {
    return 'unknown';
  }
}
