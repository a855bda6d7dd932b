#!/usr/bin/env bash
# Writes the carry bundle of tools/gpu/check.sh into .gpu-carry/ (ignored by git), for a Linux x64
# GPU machine that has no Node.js and no network: everything the check needs besides the git tree.
#   .gpu-carry/node.xz          this machine's Node.js binary (linux x64, 20.10 or newer), stripped
#                               of debug symbols, xz-compressed (reused while the binary is the same)
#   .gpu-carry/app.tar.xz       the built command line as it runs: apps/cli's bundle, the libraries'
#                               built code and data, their production dependencies (ONNX Runtime's
#                               binding for linux x64 only, sharp's libvips, the Qwen3 tokenizer
#                               files), in the repository's layout (tools/gpu/carry-files.mjs)
#   .gpu-carry/*.sha256, MANIFEST.txt
# ONNX Runtime's CUDA provider libraries are not carried (several hundred MB): check.sh takes them
# from the GPU machine's Python onnxruntime-gpu wheel. Run from the repository root after the build
# (npx nx run @moral-plantain/cli:build); it stops when the bundle would exceed LIMIT_MIB (64).
# Environment: NODE (default: node on PATH), XZ_THREADS (default 1), LIMIT_MIB.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=.gpu-carry
limit_mib=${LIMIT_MIB:-64}
threads=${XZ_THREADS:-1}
fail() { echo "pack.sh: $*" >&2; exit 1; }
start=$SECONDS
step() { printf '[%4ss] %s\n' "$((SECONDS - start))" "$*"; }

node_bin=${NODE:-$(command -v node || true)}
[ -n "$node_bin" ] && [ -x "$node_bin" ] || fail "no Node.js (set NODE=/path/to/node)"
node_bin=$(readlink -f "$node_bin")
"$node_bin" -e 'const [a, b] = process.versions.node.split(".").map(Number); if (process.platform !== "linux" || process.arch !== "x64" || a < 20 || (a === 20 && b < 10)) process.exit(1)' ||
  fail "$node_bin is Node.js $("$node_bin" --version) for $("$node_bin" -p 'process.platform + "/" + process.arch'); the bundle needs Node.js 20.10 or newer for linux/x64"
[ -f apps/cli/dist/bundle/main.js ] || fail "the command line is not built: npx nx run @moral-plantain/cli:build"
newer=$(find libs/*/src apps/cli/src -name '*.ts' -newer apps/cli/dist/bundle/main.js 2>/dev/null | head -n 3)
[ -z "$newer" ] || echo "pack.sh: warning: sources changed since the last build (e.g. $(echo "$newer" | head -n 1)); rebuild for a bundle of them" >&2
for tool in xz tar sha256sum strip; do command -v "$tool" >/dev/null || fail "$tool is needed"; done
mkdir -p "$out"
scratch=$(mktemp -d "$out/.pack-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# Node.js: stripped and compressed once per binary.
node_sha=$(sha256sum "$node_bin" | cut -d' ' -f1)
if [ -f "$out/node.xz" ] && [ "$(cat "$out/node.source" 2>/dev/null)" = "$node_sha" ]; then
  step "Node.js $("$node_bin" --version): reusing $out/node.xz"
else
  strip -o "$scratch/node" "$node_bin"
  "$scratch/node" --version >/dev/null || fail "the stripped Node.js does not run"
  xz -T"$threads" -6 -c "$scratch/node" >"$scratch/node.xz"
  mv "$scratch/node.xz" "$out/node.xz"
  echo "$node_sha" >"$out/node.source"
  step "Node.js $("$node_bin" --version) from $node_bin: $(du -m "$scratch/node" | cut -f1) MiB stripped, $(du -m "$out/node.xz" | cut -f1) MiB compressed"
fi
sha256sum "$out/node.xz" | cut -d' ' -f1 >"$out/node.xz.sha256"

# The command line and its run-time files.
"$node_bin" tools/gpu/carry-files.mjs >"$scratch/files.txt"
tar -cf "$scratch/app.tar" --owner=0 --group=0 --numeric-owner -T "$scratch/files.txt"
xz -T"$threads" -6 -c "$scratch/app.tar" >"$scratch/app.tar.xz"
mv "$scratch/app.tar.xz" "$out/app.tar.xz"
sha256sum "$out/app.tar.xz" | cut -d' ' -f1 >"$out/app.tar.xz.sha256"
step "command line: $(wc -l <"$scratch/files.txt") files, $(du -m "$scratch/app.tar" | cut -f1) MiB, $(du -m "$out/app.tar.xz" | cut -f1) MiB compressed"

bytes=$(cat "$out"/node.xz "$out"/app.tar.xz | wc -c)
{
  echo "moral-plantain GPU check carry bundle"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "node: $("$node_bin" --version) (sha256 of the binary $node_sha; needs glibc $(objdump -T "$node_bin" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 | cut -d_ -f2))"
  echo "onnxruntime-node: $("$node_bin" -p "require('./libs/onnxruntime-node/package.json').version") (linux x64 binding; the CUDA provider comes from the target's Python onnxruntime-gpu)"
  echo "node.xz: $(wc -c <"$out/node.xz") bytes, sha256 $(cat "$out/node.xz.sha256")"
  echo "app.tar.xz: $(wc -c <"$out/app.tar.xz") bytes, sha256 $(cat "$out/app.tar.xz.sha256"), $(wc -l <"$scratch/files.txt") files"
  echo "total: $bytes bytes"
} >"$out/MANIFEST.txt"
total_mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
step "carry bundle: $out/ holds $total_mib MiB (limit $limit_mib MiB); see $out/MANIFEST.txt"
awk -v b="$bytes" -v l="$limit_mib" 'BEGIN { exit !(b <= l * 1048576) }' || fail "the bundle is $total_mib MiB, over the $limit_mib MiB limit"
