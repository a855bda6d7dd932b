// Fills this package with the files of the onnxruntime-node release it carries (dist/, bin/ and
// script/, unchanged), taken from the onnxruntime-node installed beside it in the workspace: hard
// links where the file system allows, copies elsewhere. The CUDA provider libraries that
// onnxruntime-node's installer may have downloaded there are left out: they are fetched on request
// by install-cuda.js, never shipped. Run by the build target and before packing.
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const own = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const require = createRequire(path.join(here, 'package.json'));
const upstreamRoot = path.dirname(require.resolve('onnxruntime-node/package.json'));
const upstream = JSON.parse(readFileSync(path.join(upstreamRoot, 'package.json'), 'utf8'));
if (upstream.version !== own.onnxruntimeNode) {
  console.error(`vendor: onnxruntime-node ${upstream.version} is installed, but this package carries ${own.onnxruntimeNode}; install onnxruntime-node@${own.onnxruntimeNode} (npm ci).`);
  process.exit(1);
}

// This package stands in for onnxruntime-node: it needs exactly onnxruntime-node's dependencies.
const wanted = JSON.stringify(Object.entries(upstream.dependencies ?? {}).sort());
if (JSON.stringify(Object.entries(own.dependencies ?? {}).sort()) !== wanted) {
  console.error(`vendor: package.json must list onnxruntime-node ${upstream.version}'s dependencies, ${wanted}.`);
  process.exit(1);
}

const metadata = require(path.join(upstreamRoot, 'script', 'install-metadata.js'));
const downloaded = new Set(Object.values(metadata.manifests).flatMap((files) => Object.keys(files).map((f) => path.basename(f))));

let files = 0;
for (const dir of ['dist', 'bin', 'script']) {
  rmSync(path.join(here, dir), { recursive: true, force: true });
  files += mirror(path.join(upstreamRoot, dir), path.join(here, dir));
}
if (!existsSync(path.join(here, 'dist', 'index.js'))) {
  console.error('vendor: dist/index.js is missing after vendoring.');
  process.exit(1);
}
console.log(`vendor: onnxruntime-node ${upstream.version}, ${files} files`);

function mirror(from, to) {
  mkdirSync(to, { recursive: true });
  let count = 0;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) count += mirror(source, target);
    else if (entry.isFile() && !downloaded.has(entry.name)) {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
      count += 1;
    }
  }
  return count;
}
