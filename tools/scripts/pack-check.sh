#!/usr/bin/env bash
# Packs every publishable package, installs all tarballs into an empty scratch project and imports
# each one there, then runs `moral-plantain run` (the embedded tiny model) and `stats` on its
# activations from the installed CLI (whose bin runs the bundle). Run from the repository root after `npm ci`.
set -euo pipefail
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
packages=(formats stats hooks stimuli model-builder model-runtime report study)

npx nx run-many -t build --outputStyle=static >/dev/null
tarballs=()
for p in "${packages[@]}"; do
  tarballs+=("$scratch/$(cd "libs/$p" && npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -n 1)")
done
tarballs+=("$scratch/$(cd apps/cli && npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -n 1)")
cd "$scratch"
npm init -y >/dev/null
ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --silent "${tarballs[@]}" 2>/dev/null
for p in "${packages[@]}"; do
  node --input-type=module -e "const m = await import('@moral-plantain/$p'); console.log('@moral-plantain/$p: ' + Object.keys(m).length + ' exports')"
done
echo "moral-plantain --version: $(npx --no-install moral-plantain --version)"
# Help shows the libraries' defaults, read through their light subpath exports.
npx --no-install moral-plantain run --help | grep -- "--permutations"
echo "\$ npx moral-plantain run --permutations 200 --splits 20"
npx --no-install moral-plantain run --permutations 200 --splits 20 2>/dev/null | tail -n 4
ls moral-plantain-out
echo "\$ npx moral-plantain stats moral-plantain-out/activations.safetensors --permutations 500 --splits 0 --out stats-results.json"
npx --no-install moral-plantain stats moral-plantain-out/activations.safetensors --permutations 500 --splits 0 --out stats-results.json | tail -n 2
