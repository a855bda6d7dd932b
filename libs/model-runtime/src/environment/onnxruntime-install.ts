import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The onnxruntime-node package this library runs on: its version and the folder of its native libraries. */
export interface OnnxruntimeInstall {
  readonly version: string;
  /** The package's folder. */
  readonly packageDir: string;
  /** Where its native libraries lie (`bin/napi-v6/<platform>/<arch>`), the CUDA provider libraries included once installed. */
  readonly binDir: string;
  /** The script that downloads the CUDA provider libraries. */
  readonly installScript: string;
}

/** Finds the installed ONNX Runtime binding (`@moral-plantain/onnxruntime-node`, onnxruntime-node's files without its install script: the copy this library imports). */
export function onnxruntimeInstall(): OnnxruntimeInstall {
  const manifest = createRequire(import.meta.url).resolve('@moral-plantain/onnxruntime-node/package.json');
  const packageDir = path.dirname(manifest);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return {
    version,
    packageDir,
    binDir: path.join(packageDir, 'bin', 'napi-v6', process.platform, process.arch),
    installScript: path.join(packageDir, 'script', 'install.js'),
  };
}

/** The entry module of onnxruntime-node, for a separate Node.js process to load. */
export function onnxruntimeEntry(): string {
  return createRequire(import.meta.url).resolve('@moral-plantain/onnxruntime-node');
}
