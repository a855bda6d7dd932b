// Bundles the command line into dist/bundle/, which bin/moral-plantain.js runs: the CLI's own code
// (dist/, as tsc wrote it) with the libraries its quick commands use (@moral-plantain/formats and
// stats, commander, fp-ts, ndarray) in a few ES modules, one chunk per command loaded when the
// command runs, so `--version` and `stats` start without resolving and reading some hundred files.
// The libraries behind the model commands stay packages of their own, loaded from node_modules when
// such a command runs: they find files beside their code (stimulus sets, the tokenizer), load native
// code (ONNX Runtime) or record their installed versions. Run by the build target, from apps/cli.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** Libraries bundled in: the rest of the dependencies (and theirs) stay external. */
const BUNDLED = new Set(['@moral-plantain/formats', '@moral-plantain/stats', 'commander', 'fp-ts', 'ndarray']);

const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name));

rmSync('dist/bundle', { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: ['dist/main.js'],
  metafile: true,
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // fp-ts's ES module build, so only what is used is bundled (its CommonJS build would all be).
  alias: { 'fp-ts/lib': 'fp-ts/es6' },
  // CommonJS packages bundled into ES modules (commander, ndarray) still call require.
  banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module';\nconst require = createRequireOfBundle(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});

/** The package an input file of the bundle belongs to: `@moral-plantain/stats`, `commander`, ... */
function packageOf(input) {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (dependency) return dependency[1];
  const library = /^\.\.\/\.\.\/(?:libs|apps)\/([^/]+)\//.exec(input);
  return library ? `@moral-plantain/${library[1]}` : '@moral-plantain/cli';
}

// Which packages' code each file of the bundle holds (the start-up tests read it).
const packagesByFile = {};
for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
  if (output.endsWith('.js')) packagesByFile[path.basename(output)] = [...new Set(Object.keys(inputs).map(packageOf))].sort();
}
writeFileSync('dist/bundle/packages.json', `${JSON.stringify(packagesByFile, null, 2)}\n`);

// The licence texts of the third-party packages now inside the bundle, beside it.
const packageRoots = new Set();
for (const input of Object.keys(metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packageRoots.add(match[1]);
}
const notices = [...packageRoots].sort().map((root) => {
  const { name, version, license } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const file = readdirSync(root).find((f) => /^licen[cs]e/i.test(f));
  const text = file && existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8').trim() : `${license} (no licence file in the package)`;
  return `${name} ${version} (${license})\n\n${text}\n`;
});
writeFileSync('dist/bundle/THIRD-PARTY-NOTICES.txt', `Third-party packages bundled into this folder:\n\n${notices.join('\n----\n\n')}`);
