#!/usr/bin/env bash
# Packs every publishable package and installs the tarballs into an empty project the way a user
# would: a plain `npm install`, with no .npmrc and no ONNX Runtime settings in the environment. It
# checks that the install needs nothing but the npm registry (no package runs an install script),
# that every tarball carries the LICENSE, imports each library, then runs the installed CLI:
# `--version`, `run` on the embedded tiny model, `stats` on its activations, and `--device cuda`
# without the CUDA libraries (the error must name the one step that installs them).
# Run from the repository root after `npm ci`: bash tools/scripts/pack-check.sh
set -euo pipefail
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
packages=(onnxruntime-node formats stats hooks stimuli model-builder model-runtime report study)
start=$SECONDS
step() { printf '[%4ss] %s\n' "$((SECONDS - start))" "$*"; }
fail() { echo "pack-check: $*" >&2; exit 1; }

npx nx run-many -t build --outputStyle=static >/dev/null
step "built"
tarballs=()
for dir in "${packages[@]/#/libs/}" apps/cli; do
  tarball=$(cd "$dir" && npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -n 1)
  tar -tzf "$scratch/$tarball" package/LICENSE >/dev/null 2>&1 || fail "$tarball has no LICENSE"
  tarballs+=("$scratch/$tarball")
done
step "packed: $(cd "$scratch" && du -ch ./*.tgz | tail -n 1 | cut -f1) in ${#tarballs[@]} tarballs, each with its LICENSE"

# A user's shell: none of this repository's npm or ONNX Runtime settings.
for name in $(compgen -e | grep -iE '^(npm_|ONNXRUNTIME_NODE_)' || true); do unset "$name"; done
mkdir "$scratch/user" && cd "$scratch/user"
dir=$PWD
while [ "$dir" != / ]; do [ ! -e "$dir/.npmrc" ] || fail "$dir/.npmrc would be read by npm"; dir=$(dirname "$dir"); done
[ "$(npm config get onnxruntime-node-install 2>/dev/null)" = undefined ] || fail "an npm config sets onnxruntime-node-install"
npm init -y >/dev/null
install_start=$SECONDS
npm install --no-audit --no-fund "${tarballs[@]}" >install.log 2>&1 || { cat install.log >&2; fail "npm install failed"; }
! grep -q 'install-scripts' install.log || { cat install.log >&2; fail "a package would run an install script"; }
step "npm install of the tarballs: $((SECONDS - install_start)) s, no install scripts, $(du -sh node_modules | cut -f1) in node_modules"

for p in "${packages[@]}"; do
  node --input-type=module -e "const m = await import('@moral-plantain/$p'); if (Object.keys(m).length === 0) process.exit(1)" || fail "@moral-plantain/$p does not import"
done
step "every library imports"
echo "moral-plantain --version: $(npx --no-install moral-plantain --version)"
# Help shows the libraries' defaults, read through their light subpath exports.
npx --no-install moral-plantain run --help | tr -s " \n" " " | grep -q -- "--permutations <n> [^-]*(default: \"1000\")" || fail "run --help lacks the defaults"
echo "\$ npx moral-plantain run --permutations 200 --splits 20"
npx --no-install moral-plantain run --permutations 200 --splits 20 2>/dev/null | tail -n 4
ls moral-plantain-out
node -e "const v = require('./moral-plantain-out/run.json').packages['onnxruntime-node']; if (v !== '1.30.0') { console.error('run.json records onnxruntime-node ' + v); process.exit(1) }"
step "run on the embedded model"
echo "\$ npx moral-plantain stats moral-plantain-out/activations.safetensors --permutations 500 --splits 0 --out stats-results.json"
npx --no-install moral-plantain stats moral-plantain-out/activations.safetensors --permutations 500 --splits 0 --out stats-results.json | tail -n 2
if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ]; then
  status=0
  npx --no-install moral-plantain run --device cuda --out cuda-out >cuda.log 2>&1 || status=$?
  [ "$status" = 2 ] && grep -q 'moral-plantain install-cuda' cuda.log || { cat cuda.log >&2; fail "--device cuda without its libraries must exit 2 and name moral-plantain install-cuda"; }
  echo "\$ npx moral-plantain run --device cuda   # no CUDA libraries installed"
  cat cuda.log
fi
step "done"
