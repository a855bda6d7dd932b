#!/usr/bin/env bash
# GPU readiness of moral-plantain on this machine, in one run of a few minutes:
#   1. which execution providers load (`moral-plantain env`: cpu, cuda, webgpu, and every CUDA and
#      cuDNN library the CUDA provider needs, found or missing);
#   2. the probe on the embedded tiny model (25 pairs) on the CPU, then on each GPU provider that
#      loads, its activations compared value by value with the CPU's (tolerances below);
#   3. a wide config (FLUX.2 klein 4B's full width, 1 joint + 2 single blocks, the Qwen3-4B text
#      encoder's first 3 layers, seeded weights, 256 x 256 px, 4 pairs) timed on the GPU and the CPU.
# It needs nothing installed but Linux x64: Node.js, the built command line and ONNX Runtime's
# binding come from the carry bundle that tools/gpu/pack.sh writes into .gpu-carry/ (or, without
# one, from this checkout when it is built and Node.js 20.10+ is on PATH). ONNX Runtime's CUDA
# provider libraries (libonnxruntime_providers_cuda.so and _shared.so, 1.30, CUDA 13 + cuDNN 9)
# come from, in this order: the binding's own folder (`moral-plantain install-cuda`), or an
# onnxruntime-gpu wheel of the same ONNX Runtime version in this machine's Python
# (onnxruntime/capi/), linked beside the binding's libonnxruntime.so.1, the folder where ONNX
# Runtime looks for them. CUDA and cuDNN themselves: the system's, plus the nvidia/*/lib folders of
# pip's NVIDIA wheels (nvidia-cublas, nvidia-cudnn-cu13, ...) in Python's site-packages, which this
# script adds to LD_LIBRARY_PATH.
#
# Tolerances (largest relative difference of any per-unit RMS value, |x - x_cpu| / |x_cpu|):
#   cuda, default settings  1e-2  ONNX Runtime's CUDA provider runs float32 MatMul and Conv in TF32
#                                 on Ampere and newer (use_tf32, on by default): inputs are rounded
#                                 to a 10-bit mantissa (unit roundoff 2^-11 = 4.9e-4 against 6e-8 in
#                                 float32), and cuDNN and cuBLAS pick other algorithms and summation
#                                 orders than the CPU; a few such roundings through the blocks give
#                                 1e-3-level differences, and 1e-2 leaves a margin of about 10.
#   cuda, TF32 off          1e-4  the same run with NVIDIA_TF32_OVERRIDE=0 (cuBLAS and cuDNN then
#                                 compute in float32): only summation order and algorithms differ.
#   webgpu                  1e-4  WebGPU computes in float32 (WGSL f32); measured 8.0e-7 on
#                                 Mesa's lavapipe.
# The paired t of every unit, recomputed from both runs, is printed too (largest difference,
# correlation, overlap of the 10 largest |t|).
#
# Usage (from the repository root):
#   bash tools/gpu/check.sh [--cpu-only] [--no-wide] [--require-cuda] [--work DIR] [--log FILE]
#     --cpu-only      skip the GPU providers (the CPU parts only)
#     --no-wide       skip the wide config (about 5.5 GB of seeded weights on disk, built here)
#     --require-cuda  exit 3 when the CUDA provider does not load (default: report it, exit 0)
#     --work DIR      scratch folder (default: $TMPDIR/moral-plantain-gpu-check; the wide model is
#                     built there and reused by later runs)
#     --log FILE      also write everything printed to FILE
# Environment: PYTHON (default python3), CUDA_TOLERANCE, FP32_TOLERANCE, WEBGPU_TOLERANCE, BUDGET_SECONDS (480).
# Exit status: 0 every check that could run passed (a GPU provider that does not load is reported,
# not failed); 1 a check failed (activations beyond tolerance, not finite, or a CPU run failed);
# 2 bad usage or no runtime; 3 --require-cuda and CUDA did not load.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cpu_only=0 wide=1 require_cuda=0 log=''
work=${TMPDIR:-/tmp}/moral-plantain-gpu-check
while [ $# -gt 0 ]; do
  case $1 in
    --cpu-only) cpu_only=1 ;;
    --no-wide) wide=0 ;;
    --require-cuda) require_cuda=1 ;;
    --work) work=${2:?--work needs a folder}; shift ;;
    --log) log=${2:?--log needs a file}; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$log" ]; then
  mkdir -p "$(dirname "$log")" && exec > >(tee "$log") 2>&1
fi
python=${PYTHON:-python3}
cuda_tolerance=${CUDA_TOLERANCE:-1e-2}
fp32_tolerance=${FP32_TOLERANCE:-1e-4}
webgpu_tolerance=${WEBGPU_TOLERANCE:-1e-4}
budget=${BUDGET_SECONDS:-480}
start=$SECONDS
mkdir -p "$work" || { echo "check.sh: cannot create $work" >&2; exit 2; }
work=$(cd "$work" && pwd)

step() { printf '\n[%4ss] == %s\n' "$((SECONDS - start))" "$*"; }
note() { printf '         %s\n' "$*"; }
summary=()
failed=0
row() { summary+=("$(printf '  %-30s %-6s %s' "$1" "$2" "$3")"); [ "$2" != FAIL ] || failed=1; }
left() { echo $((budget - (SECONDS - start))); }

# ---------------------------------------------------------------------------------------------
step "runtime: Node.js and the moral-plantain command line"
carry=$root/.gpu-carry
node=''
app=''
if [ -f "$carry/app.tar.xz" ] && [ -f "$carry/node.xz" ]; then
  stamp=$(cat "$carry/app.tar.xz.sha256" "$carry/node.xz.sha256" 2>/dev/null)
  if [ ! -x "$work/runtime/node" ] || [ "$(cat "$work/runtime/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$work/runtime" && mkdir -p "$work/runtime/app"
    # xz when installed, else Python's lzma (both read the same files).
    if command -v xz >/dev/null; then
      xz -dc "$carry/node.xz" >"$work/runtime/node.part" && tar -xJf "$carry/app.tar.xz" -C "$work/runtime/app"
    else
      "$python" -c 'import lzma, shutil, sys, tarfile
shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))
tarfile.open(sys.argv[3], "r:xz").extractall(sys.argv[4])' "$carry/node.xz" "$work/runtime/node.part" "$carry/app.tar.xz" "$work/runtime/app"
    fi || { echo "check.sh: unpacking the carry bundle failed" >&2; exit 2; }
    chmod +x "$work/runtime/node.part" && mv "$work/runtime/node.part" "$work/runtime/node"
    echo "$stamp" >"$work/runtime/stamp"
  fi
  node=$work/runtime/node
  app=$work/runtime/app
  note "from the carry bundle ($(du -sh "$carry" | cut -f1) in .gpu-carry/, unpacked into $work/runtime)"
elif command -v node >/dev/null && [ -f "$root/apps/cli/dist/bundle/main.js" ]; then
  node=$(command -v node)
  app=$root
  note "no carry bundle: this checkout's build with $node"
else
  echo "check.sh: no runtime: neither a carry bundle (.gpu-carry/, written by tools/gpu/pack.sh) nor Node.js with a built checkout (npx nx run @moral-plantain/cli:build)" >&2
  exit 2
fi
cli() { "$node" "$app/apps/cli/bin/moral-plantain.js" "$@"; }
node_version=$("$node" --version 2>&1) || { echo "check.sh: $node does not run here: $node_version" >&2; exit 2; }
note "Node.js $node_version, moral-plantain $(cli --version), $(uname -srm), $(ldd --version 2>/dev/null | head -n 1)"
bin_dir=$app/libs/onnxruntime-node/bin/napi-v6/linux/x64

# ---------------------------------------------------------------------------------------------
step "GPU, Python and the CUDA libraries"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | sed 's/^/         GPU: /'
else
  note "nvidia-smi: not found"
fi
ort_python=''
if [ "$cpu_only" = 1 ]; then
  note "--cpu-only: GPU providers skipped"
elif ! command -v "$python" >/dev/null; then
  note "Python ($python): not found; CUDA libraries only from the system loader path"
else
  py_info=$("$python" - <<'EOF' 2>&1
import glob, os, site, sys
dirs = [d for d in site.getsitepackages() + [site.getusersitepackages()] if os.path.isdir(d)]
print("python", sys.executable, sys.version.split()[0])
for d in dirs:
    for lib in sorted(glob.glob(os.path.join(d, "nvidia", "*", "lib"))):
        print("nvlib", lib)
try:
    import onnxruntime
    capi = os.path.join(os.path.dirname(onnxruntime.__file__), "capi")
    print("ort", onnxruntime.__version__, capi, ",".join(onnxruntime.get_available_providers()))
except Exception as error:
    print("noort", repr(error))
EOF
  )
  note "$(grep '^python ' <<<"$py_info" | cut -d' ' -f2-)"
  nvlibs=$(grep '^nvlib ' <<<"$py_info" | cut -d' ' -f2- | paste -sd: -)
  if [ -n "$nvlibs" ]; then
    export LD_LIBRARY_PATH=$nvlibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    note "pip NVIDIA libraries added to LD_LIBRARY_PATH:"
    tr ':' '\n' <<<"$nvlibs" | sed 's/^/           /'
  else
    note "no pip NVIDIA libraries (site-packages/nvidia/*/lib)"
  fi
  if grep -q '^ort ' <<<"$py_info"; then
    read -r _ ort_version ort_capi ort_providers <<<"$(grep '^ort ' <<<"$py_info")"
    ort_python=$ort_version
    note "Python onnxruntime $ort_version ($ort_providers) in $(dirname "$ort_capi")"
  else
    note "Python onnxruntime: not importable ($(grep '^noort ' <<<"$py_info" | cut -d' ' -f2-))"
  fi
fi
binding_version=$("$node" -p "require('$app/libs/onnxruntime-node/package.json').version")
if [ "$cpu_only" = 0 ]; then
  if [ -f "$bin_dir/libonnxruntime_providers_cuda.so" ] && [ ! -L "$bin_dir/libonnxruntime_providers_cuda.so" ]; then
    note "CUDA provider: installed in the binding ($bin_dir)"
  elif [ -n "$ort_python" ] && [ -f "$ort_capi/libonnxruntime_providers_cuda.so" ] && [ -f "$ort_capi/libonnxruntime_providers_shared.so" ]; then
    if [ "${ort_python%.*}" != "${binding_version%.*}" ]; then
      note "WARNING: Python's onnxruntime is $ort_python, the binding $binding_version: the provider libraries are built for one ONNX Runtime version (no version check guards the pairing)"
    fi
    if [ "$app" = "$root" ]; then
      note "CUDA provider: Python's onnxruntime-gpu has it, but this checkout's binding is left alone; run tools/gpu/pack.sh and use the bundle, or copy $ort_capi/libonnxruntime_providers_{cuda,shared}.so into $bin_dir"
    else
      ln -sf "$ort_capi/libonnxruntime_providers_cuda.so" "$ort_capi/libonnxruntime_providers_shared.so" "$bin_dir/"
      note "CUDA provider: libonnxruntime_providers_cuda.so and _shared.so of Python's onnxruntime $ort_python linked into $bin_dir"
    fi
  else
    note "CUDA provider: not installed in the binding, and no onnxruntime-gpu wheel in Python to take it from"
  fi
fi

# ---------------------------------------------------------------------------------------------
step "moral-plantain env"
env_args=(--timeout 60)
cli env "${env_args[@]}"
env_json=$work/env.json
cli env --json "${env_args[@]}" >"$env_json" 2>/dev/null
provider() { "$node" -e "const e = require(process.argv[1]); const p = e.providers.find((x) => x.device === process.argv[2]); process.stdout.write(p ? p.status + '\t' + (p.reason ?? '') : 'absent\t')" "$env_json" "$1" 2>/dev/null || printf 'unknown\tenv --json failed'; }
declare -A loads
for device in cpu cuda webgpu; do
  IFS=$'\t' read -r status reason <<<"$(provider "$device")"
  loads[$device]=$status
  if [ "$status" = ok ]; then row "$device provider" ok "loads and computes a MatMul right"
  elif [ "$device" = cpu ]; then row "cpu provider" FAIL "$status: $reason"
  elif [ "$cpu_only" = 1 ]; then row "$device provider" skip "--cpu-only"
  else row "$device provider" no "$status: $reason"
  fi
done
if [ "$cpu_only" = 0 ] && [ "${loads[cuda]}" != ok ]; then
  missing=$("$node" -e "const e = require(process.argv[1]); process.stdout.write(e.cuda.missing.join(', '))" "$env_json" 2>/dev/null)
  [ -z "$missing" ] || row "CUDA libraries missing" no "$missing"
fi

# ---------------------------------------------------------------------------------------------
# probe NAME DEVICE OUT TIMEOUT [run options...]: one `moral-plantain run`, its log in OUT.log.
probe() {
  local name=$1 device=$2 out=$3 limit=$4
  shift 4
  rm -rf "$out"
  local t0=$SECONDS
  timeout --kill-after=10 "$limit" "$node" "$app/apps/cli/bin/moral-plantain.js" run --device "$device" --out "$out" --no-resume --quiet "$@" >"$out.log" 2>&1
  local status=$?
  note "$name: exit $status in $((SECONDS - t0)) s$([ "$status" = 124 ] && echo " (stopped at the $limit s limit)")"
  [ "$status" = 0 ] || tail -n 5 "$out.log" | sed 's/^/           | /'
  return "$status"
}
# compare NAME REFERENCE RUN TOLERANCE: the activations of RUN against REFERENCE.
compare() {
  local name=$1 json
  json=$("$node" "$root/tools/gpu/compare-runs.mjs" "$2" "$3" --tolerance "$4" 2>&1)
  local status=$?
  if [ "$status" = 2 ]; then row "$name" FAIL "$json"; return; fi
  local line
  line=$("$node" -e '
const r = JSON.parse(process.argv[1]);
const e = (x) => x.toExponential(1);
process.stdout.write(`max rel diff ${e(r.maxRelDiff)} (${r.worst.group ?? "unit " + r.worst.unit}), median ${e(r.medianRelDiff)}, tolerance ${e(r.tolerance)}${r.finite ? "" : ", NOT FINITE"}; t: max diff ${e(r.t.maxAbsDiff)}, r = ${r.t.correlation.toFixed(6)}, top ${r.t.top} |t| ${r.t.topOverlap}/${r.t.top}`);' "$json")
  row "$name" "$([ "$status" = 0 ] && echo PASS || echo FAIL)" "$line"
}
# per_prompt RUN: "encode X ms + transformer Y ms per prompt, session load Z s".
per_prompt() {
  "$node" -e '
const t = JSON.parse(require("node:child_process").execFileSync(process.execPath, [process.argv[1], "--timing", process.argv[2]]).toString());
const ms = (s) => (s * 1000).toFixed(s < 1 ? 1 : 0);
process.stdout.write(`${ms(t.encodePerPrompt + t.transformerPerPrompt)} ms per prompt (encode ${ms(t.encodePerPrompt)} + transformer ${ms(t.transformerPerPrompt)}) over ${t.prompts} prompts; session load ${t.loadSeconds.toFixed(1)} s`);' "$root/tools/gpu/compare-runs.mjs" "$1" 2>/dev/null || echo "no timings"
}

step "the tiny probe (embedded model, 25 pairs, 50 prompts) on each provider"
tiny=(--permutations 200 --splits 0)
if probe "cpu" cpu "$work/tiny-cpu" 300 "${tiny[@]}"; then
  row "tiny probe, cpu" ok "$(per_prompt "$work/tiny-cpu")"
  if [ "${loads[cuda]}" = ok ]; then
    if probe "cuda" cuda "$work/tiny-cuda" 300 "${tiny[@]}"; then compare "tiny probe, cuda vs cpu" "$work/tiny-cpu" "$work/tiny-cuda" "$cuda_tolerance"
    else row "tiny probe, cuda" FAIL "the run failed: $(tail -n 1 "$work/tiny-cuda.log")"; fi
    if NVIDIA_TF32_OVERRIDE=0 probe "cuda, NVIDIA_TF32_OVERRIDE=0" cuda "$work/tiny-cuda-fp32" 300 "${tiny[@]}"; then compare "tiny probe, cuda TF32 off" "$work/tiny-cpu" "$work/tiny-cuda-fp32" "$fp32_tolerance"
    else row "tiny probe, cuda TF32 off" FAIL "the run failed: $(tail -n 1 "$work/tiny-cuda-fp32.log")"; fi
  fi
  if [ "${loads[webgpu]}" = ok ]; then
    if probe "webgpu" webgpu "$work/tiny-webgpu" 240 "${tiny[@]}"; then compare "tiny probe, webgpu vs cpu" "$work/tiny-cpu" "$work/tiny-webgpu" "$webgpu_tolerance"
    else row "tiny probe, webgpu" FAIL "the run failed or timed out: $(tail -n 1 "$work/tiny-webgpu.log")"; fi
  fi
else
  row "tiny probe, cpu" FAIL "the run failed: $(tail -n 1 "$work/tiny-cpu.log")"
fi

# ---------------------------------------------------------------------------------------------
if [ "$wide" = 1 ]; then
  step "wide config: D = 3072 (1 joint + 2 single blocks), Qwen3-4B's first 3 layers, 256 x 256 px, 4 pairs"
  model=$work/wide-model
  if [ ! -f "$model/model.json" ]; then
    t0=$SECONDS
    rm -rf "$model"
    if timeout --kill-after=10 "$(( $(left) > 60 ? $(left) - 30 : 30 ))" "$node" "$app/apps/cli/bin/moral-plantain.js" model build --out "$model" --config "$root/tools/gpu/wide-transformer-config.json" --random --seed 0 --text-layers 1,2,3 --no-vae --quiet >"$work/wide-build.log" 2>&1; then
      note "built in $((SECONDS - t0)) s: $(du -sh "$model" | cut -f1) of seeded float32 weights"
    else
      tail -n 5 "$work/wide-build.log" | sed 's/^/           | /'
      row "wide config, build" FAIL "model build failed after $((SECONDS - t0)) s"
    fi
  else
    note "reusing $model"
  fi
  if [ -f "$model/model.json" ]; then
    wide_args=(--model "$model" --stimuli "$root/tools/gpu/check-pairs.yaml" --resolution 256 --permutations 16 --splits 0)
    # The GPU first: the CPU run is the slow one, and gets what is left of the budget.
    gpu_wide=''
    if [ "${loads[cuda]}" = ok ]; then
      if probe "cuda" cuda "$work/wide-cuda" 240 "${wide_args[@]}"; then gpu_wide=$work/wide-cuda; row "wide, cuda" ok "$(per_prompt "$work/wide-cuda")"
      else row "wide, cuda" FAIL "the run failed: $(tail -n 1 "$work/wide-cuda.log")"; fi
    fi
    limit=$(( $(left) > 90 ? $(left) - 30 : 60 ))
    probe "cpu" cpu "$work/wide-cpu" "$limit" "${wide_args[@]}"
    wide_cpu_status=$?
    if [ "$wide_cpu_status" = 0 ]; then
      row "wide, cpu" ok "$(per_prompt "$work/wide-cpu")"
      if [ -n "$gpu_wide" ]; then
        speedup=$("$node" -e '
const { execFileSync } = require("node:child_process");
const t = (d) => JSON.parse(execFileSync(process.execPath, [process.argv[1], "--timing", d]).toString());
const [c, g] = [t(process.argv[2]), t(process.argv[3])];
process.stdout.write(`${((c.encodePerPrompt + c.transformerPerPrompt) / (g.encodePerPrompt + g.transformerPerPrompt)).toFixed(1)}x per prompt (transformer ${(c.transformerPerPrompt / g.transformerPerPrompt).toFixed(1)}x, encode ${(c.encodePerPrompt / g.encodePerPrompt).toFixed(1)}x)`);' "$root/tools/gpu/compare-runs.mjs" "$work/wide-cpu" "$gpu_wide")
        row "wide, cuda speed-up" ok "$speedup"
        compare "wide, cuda vs cpu" "$work/wide-cpu" "$gpu_wide" "$cuda_tolerance"
      fi
    else
      if [ "$wide_cpu_status" = 124 ]; then row "wide, cpu" skip "did not finish within $limit s, the check's time budget"
      else row "wide, cpu" FAIL "the run failed: $(tail -n 1 "$work/wide-cpu.log")"; fi
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------
step "summary ($((SECONDS - start)) s; budget ${budget} s)"
printf '  %-30s %-6s %s\n' CHECK RESULT DETAIL
printf '%s\n' "${summary[@]}"
if [ "$cpu_only" = 0 ] && [ "${loads[cuda]}" != ok ]; then
  echo
  echo "  The CUDA provider did not load here, so its checks did not run (see 'moral-plantain env' above for"
  echo "  which libraries are missing). On a machine with an NVIDIA GPU: a Python onnxruntime-gpu"
  echo "  ${binding_version%.*} wheel (or 'moral-plantain install-cuda') and CUDA 13 + cuDNN 9 libraries."
fi
[ "$failed" = 0 ] || exit 1
[ "$require_cuda" = 0 ] || [ "${loads[cuda]}" = ok ] || exit 3
exit 0
