#!/usr/bin/env bash
# gpu-check.sh — one prepared run of the convnet benchmark on a lent GPU machine (H100/H200).
#
# HOW TO RUN
#   1. Here (the dev machine), from the repository root:   bench/device/build.sh
#      (builds bench/device/bin/convnet: linux/amd64, cgo, XLA compiled in; bench/device/bin is git-ignored)
#   2. On the GPU machine, from the repository root of the copied tree, carrying that binary:
#        run(command="bash bench/device/gpu-check.sh", carry=["bench/device/bin"], timeout_s=540)
#      Total runtime is kept under ~7 minutes by a global deadline (GPU_CHECK_BUDGET_S, default 420 s);
#      every command is wrapped in `timeout`. The whole log goes to $OUT/gpu-check.log and the JSON results
#      (one object per line) to $OUT/results.jsonl when $OUT is set, else to /tmp/gpu-check/.
#
# WHAT IT DOES
#   - nvidia-smi -L; finds the venv python (python3 on PATH, /opt/torch/.venv/bin/python3, …) that has
#     jax_plugins.xla_cuda13, its xla_cuda_plugin.so, and the venv's site-packages/nvidia tree.
#   - Builds go-xla's expected cuda13 layout with symbolic links under a temporary HOME (never the real one):
#       $HOME/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so -> <venv>/jax_plugins/xla_cuda13/xla_cuda_plugin.so
#       $HOME/.local/lib/go-xla/nvidia/<each entry of site-packages/nvidia> -> the venv's
#       $HOME/.local/lib/go-xla/nvidia/bin/ptxas -> ptxas found (venv nvidia/cu13/bin, jax's cuda_path, /usr/local/cuda)
#       $HOME/.local/lib/go-xla/nvidia/nvvm -> the nvvm dir holding libdevice, if found
#       $HOME/.local/lib/libcublas{,Lt}.so.13 -> ./go-xla/nvidia/cu13/lib/…
#     and sets XLA_FLAGS=--xla_gpu_cuda_data_dir=$HOME/.local/lib/go-xla/nvidia before the program starts:
#     go-xla v0.1.4 (pjrt/cuda_linux.go) would otherwise put its hard-coded /home/janpf/... there, but it
#     leaves XLA_FLAGS alone when it already contains --xla_gpu_cuda_data_dir.
#     LD_LIBRARY_PATH gets every <venv>/nvidia/*/lib (the plugin dlopens cuBLAS, cuDNN, … from there).
#   - GOMLX_NO_AUTO_INSTALL=1 and GOMLX_BACKEND=xla:cuda; `convnet -check` (20 steps, the loss must fall).
#     If that fails: diagnostics (plugin dir listing, ldd/readelf of the plugin, env, whether jax itself
#     sees the GPU), then a second try with GOMLX_BACKEND=xla:<absolute path of the venv's plugin>.
#   - With the configuration that passed: convnet -steps 50 -warmup 5 at batch 64 and 256 (XLA, GPU).
#   - PyTorch twin (bench/convnet/torch_convnet.py --device cuda) at batch 64 and 256, if the venv has torch.
#   - Reference on the CPU: convnet with GOMLX_BACKEND=go (pure Go), and PyTorch --device cpu, batch 64.
#   - A summary table at the end. Exit status: 0 if the XLA -check passed, 1 otherwise.
#
# Environment knobs: GPU_CHECK_BUDGET_S (total seconds, default 420), CONVNET_BIN (default
# bench/device/bin/convnet), PYTHON (force the venv python), ONLY_PROJECT_CHECKS=1 (skip the convnet
# benchmarks against PyTorch; run the -check, the grouped-conv gradient check and the two searches, which
# need bench/device/bin/gradcheck and bench/device/bin/gaea from build.sh), SEARCH_ARGS="…" (instead,
# run only `gaea search …` with these arguments, timeout SEARCH_TIMEOUT_S, default 240 s).
set -u
set -o pipefail

start_s=$SECONDS
budget=${GPU_CHECK_BUDGET_S:-420}
outdir=${OUT:-/tmp/gpu-check}
mkdir -p "$outdir"
log=$outdir/gpu-check.log
results=$outdir/results.jsonl
: >"$results"
exec > >(tee "$log") 2>&1
teepid=$!
# finish RC: lets tee write the whole log to $OUT before the script exits.
finish() {
  exec 1>&- 2>&-
  wait "$teepid" 2>/dev/null || sleep 1
  exit "$1"
}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
bin=${CONVNET_BIN:-$root/bench/device/bin/convnet}
torch_script=$root/bench/convnet/torch_convnet.py
export PYTHONUNBUFFERED=1

declare -A status # step name -> OK / FAIL(rc) / SKIP
order=()

say() { printf '\n===== [%4ds] %s\n' $((SECONDS - start_s)) "$*"; }

# step NAME LIMIT_S CMD... : runs CMD under timeout (clamped to the remaining budget), records its status.
# Lines that look like JSON objects are appended to $results.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((budget - (SECONDS - start_s)))
  order+=("$name")
  if ((left < 15)); then
    say "SKIP $name: global budget ${budget}s used up"
    status[$name]="SKIP(budget)"
    return 99
  fi
  ((limit > left)) && limit=$left
  say "$name (timeout ${limit}s): $*"
  local tmp rc
  tmp=$(mktemp)
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$tmp"
  rc=${PIPESTATUS[0]}
  grep -h '^{.*}$' "$tmp" >>"$results" || true
  rm -f "$tmp"
  if ((rc == 0)); then
    status[$name]="OK"
  elif ((rc == 124 || rc == 137)); then
    status[$name]="FAIL(timeout ${limit}s)"
  else
    status[$name]="FAIL(rc=$rc)"
  fi
  say "$name -> ${status[$name]}"
  return "$rc"
}

# ---------------------------------------------------------------------------------------------------------
say "host"
date -u
uname -a
grep -m1 'model name' /proc/cpuinfo
echo "CPUs: $(nproc)"
ldd --version 2>&1 | head -1
timeout 30 nvidia-smi -L || echo "nvidia-smi -L failed"
timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
ls -d /dev/nvidia* 2>/dev/null | head -5 || echo "no /dev/nvidia* (go-xla then asks nvidia-smi)"

if [[ ! -x $bin ]]; then
  echo "ERROR: $bin missing: run bench/device/build.sh on the dev machine and carry bench/device/bin"
  xla_ok=0
fi

# ---------------------------------------------------------------------------------------------------------
say "locating the venv python with jax_plugins.xla_cuda13"
py=""
candidates=()
[[ -n ${PYTHON:-} ]] && candidates+=("$PYTHON")
[[ -n ${VIRTUAL_ENV:-} ]] && candidates+=("$VIRTUAL_ENV/bin/python3")
candidates+=("$(command -v python3 || true)" /opt/torch/.venv/bin/python3 /opt/venv/bin/python3 /usr/bin/python3)
for c in "${candidates[@]}"; do
  [[ -n $c && -x $c ]] || continue
  if plugin_init=$(timeout 60 "$c" -c 'import jax_plugins.xla_cuda13 as m; print(m.__file__)' 2>/dev/null); then
    py=$c
    break
  fi
  echo "  $c: no jax_plugins.xla_cuda13"
done
plugin=""
nv=""
if [[ -n $py ]]; then
  plugin_dir=$(dirname "$plugin_init")
  plugin=$plugin_dir/xla_cuda_plugin.so
  echo "python: $py ($("$py" --version 2>&1))"
  echo "jax_plugins.xla_cuda13: $plugin_init"
  ls -la "$plugin_dir"
  [[ -f $plugin ]] || { echo "ERROR: $plugin not found"; plugin=$(find "$plugin_dir" -name '*.so' | head -1); }
  nv=$(timeout 60 "$py" -c 'import nvidia, os; print(os.path.realpath(list(nvidia.__path__)[0]))' 2>/dev/null || true)
  [[ -d $nv ]] || nv=$(cd "$plugin_dir/../.." && pwd)/nvidia
  echo "nvidia tree: $nv"
  ls "$nv" 2>&1 | tr '\n' ' '
  echo
  "$py" -m pip list 2>/dev/null | grep -iE '^(jax|jaxlib|jax-cuda|torch |nvidia-cu(da|blas|dnn)|cuda-toolkit)' || true
else
  echo "ERROR: no python with jax_plugins.xla_cuda13 among: ${candidates[*]}"
  plugin=$(find / -xdev -name xla_cuda_plugin.so 2>/dev/null | head -1)
  echo "find / -name xla_cuda_plugin.so: ${plugin:-nothing}"
  [[ -n $plugin ]] && nv=$(cd "$(dirname "$plugin")/../.." && pwd)/nvidia
  py=$(command -v python3 || true)
fi

# ptxas and libdevice: the venv's CUDA 13 tree first, then jax's own idea, then the system toolkit.
jax_cuda_path=""
[[ -n $py ]] && jax_cuda_path=$(timeout 60 "$py" -c 'import jax._src.lib as l; print(getattr(l, "cuda_path", "") or "")' 2>/dev/null || true)
echo "jax._src.lib.cuda_path: ${jax_cuda_path:-<none>}"
ptxas=""
for d in "$nv/cu13" "$nv/cuda_nvcc" "$jax_cuda_path" /usr/local/cuda /usr/local/cuda-13.0; do
  [[ -n $d && -x $d/bin/ptxas ]] && { ptxas=$d/bin/ptxas; break; }
done
[[ -z $ptxas ]] && ptxas=$(command -v ptxas || true)
libdevice=""
for d in "$nv/cu13" "$nv/cuda_nvcc" "$jax_cuda_path" /usr/local/cuda /usr/local/cuda-13.0; do
  [[ -n $d && -f $d/nvvm/libdevice/libdevice.10.bc ]] && { libdevice=$d/nvvm/libdevice/libdevice.10.bc; break; }
done
echo "ptxas: ${ptxas:-NOT FOUND} $([[ -n $ptxas ]] && timeout 10 "$ptxas" --version 2>&1 | tail -1)"
echo "libdevice: ${libdevice:-NOT FOUND}"

# ---------------------------------------------------------------------------------------------------------
say "building go-xla's cuda13 layout under a temporary HOME"
fakehome=$(mktemp -d /tmp/goxla-home.XXXXXX)
goxla=$fakehome/.local/lib/go-xla
mkdir -p "$goxla/nvidia/bin"
if [[ -d $nv ]]; then
  for e in "$nv"/*; do
    [[ -e $goxla/nvidia/$(basename "$e") ]] || ln -s "$e" "$goxla/nvidia/$(basename "$e")"
  done
fi
[[ -n $plugin && -f $plugin ]] && ln -sf "$plugin" "$goxla/nvidia/pjrt_c_api_cuda_plugin.so"
[[ -n $ptxas && ! -e $goxla/nvidia/bin/ptxas ]] && ln -s "$ptxas" "$goxla/nvidia/bin/ptxas"
if [[ -n $libdevice && ! -e $goxla/nvidia/nvvm ]]; then
  ln -s "$(dirname "$(dirname "$libdevice")")" "$goxla/nvidia/nvvm"
fi
# ~/.local/lib/nvidia too: the plugin's RUNPATH ($ORIGIN/../../nvidia/…) seen from the symlink's directory.
[[ -d $nv ]] && ln -s "$nv" "$fakehome/.local/lib/nvidia"
for l in libcublasLt.so.13 libcublas.so.13; do
  ln -sf "./go-xla/nvidia/cu13/lib/$l" "$fakehome/.local/lib/$l"
done
find "$fakehome" -maxdepth 5 \( -type l -o -type f \) -printf '%p -> %l\n' | sed "s|$fakehome|\$HOME|" | head -40

# Library path: every <venv>/nvidia/*/lib, then what was there already.
nvlibs=""
for d in "$nv"/*/lib "$nv"/*/lib64; do
  [[ -d $d ]] && nvlibs=${nvlibs:+$nvlibs:}$d
done
gpu_env=(
  HOME="$fakehome"
  GOMLX_NO_AUTO_INSTALL=1
  XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }--xla_gpu_cuda_data_dir=$goxla/nvidia"
  LD_LIBRARY_PATH="$nvlibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  PATH="$goxla/nvidia/bin:$PATH"
)
echo "environment for the XLA runs:"
printf '  %s\n' "${gpu_env[@]}"

diagnose() {
  say "DIAGNOSTICS (XLA attempt failed)"
  echo "--- env"
  env | grep -E '^(HOME|XLA_|PJRT|GOMLX|GOPJRT|LD_LIBRARY_PATH|CUDA|PATH|TF_)' | sort
  printf '  (for the binary) %s\n' "${gpu_env[@]}"
  echo "--- go-xla layout"
  ls -la "$goxla" "$goxla/nvidia" "$goxla/nvidia/bin" 2>&1
  [[ -n $plugin ]] && ls -laL "$plugin"
  echo "--- readelf -d plugin (NEEDED / RUNPATH)"
  [[ -n $plugin ]] && timeout 20 readelf -d "$plugin" 2>&1 | grep -E 'NEEDED|RPATH|RUNPATH' | head -40
  echo "--- ldd plugin with the run's LD_LIBRARY_PATH (missing libraries)"
  [[ -n $plugin ]] && timeout 30 env LD_LIBRARY_PATH="$nvlibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$plugin" 2>&1 |
    grep -E 'not found|cuda|cublas|cudnn|nccl|libstdc' | head -40
  echo "--- libcuda"
  ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libnvidia-ml' | head -5
  ls /usr/local/nvidia/lib64 2>/dev/null | head -20
  echo "--- PJRT API version of the plugin (go-xla v0.1.4 is built against 0.83)"
  strings -n 6 "$plugin" 2>/dev/null | grep -m3 -iE 'PJRT_API_(MAJOR|MINOR)|pjrt_c_api' || true
  echo "--- does jax itself see the GPU?"
  [[ -n $py ]] && timeout 90 "$py" -c 'import jax; print(jax.__version__, jax.devices()); import jax.numpy as jnp; print(float(jnp.ones(4).sum()))' 2>&1 | tail -5
  echo "--- how jax's plugin loads the NVIDIA libraries"
  [[ -n ${plugin_init:-} ]] && grep -nE 'LoadLibrary|cuda_path|data_dir|nvidia' "$plugin_init" | head -20
}

# ---------------------------------------------------------------------------------------------------------
xla_ok=${xla_ok:-1}
xla_backend=""
if ((xla_ok)); then
  xla_ok=0
  if step "xla-check (GOMLX_BACKEND=xla:cuda, go-xla layout)" 200 \
    env "${gpu_env[@]}" GOMLX_BACKEND=xla:cuda "$bin" -check; then
    xla_ok=1 xla_backend=xla:cuda
  else
    diagnose
    if [[ -n $plugin && -f $plugin ]]; then
      if step "xla-check (GOMLX_BACKEND=xla:<abs plugin path>)" 150 \
        env "${gpu_env[@]}" GOMLX_BACKEND="xla:$plugin" "$bin" -check; then
        xla_ok=1 xla_backend="xla:$plugin"
      fi
    fi
  fi
fi

if ((xla_ok)) && [[ -z ${ONLY_PROJECT_CHECKS:-} ]]; then
  for b in 64 256; do
    step "xla bench batch $b ($xla_backend)" 120 \
      env "${gpu_env[@]}" GOMLX_BACKEND="$xla_backend" "$bin" -batch "$b" -steps 50 -warmup 5 -json
  done
elif ((!xla_ok)); then
  say "XLA benchmarks skipped: no XLA configuration passed -check"
fi

# Project checks on XLA (binaries built by build.sh): grouped-conv gradients, and searches.
bindir=$(dirname "$bin")
if ((xla_ok)) && [[ -n ${SEARCH_ARGS:-} && -x $bindir/gaea ]]; then
  # One custom search (e.g. with --cpuprofile "$OUT/cpu.prof") instead of the project checks below.
  # shellcheck disable=SC2086
  step "gaea search $SEARCH_ARGS" "${SEARCH_TIMEOUT_S:-240}" \
    env "${gpu_env[@]}" GOMLX_BACKEND="$xla_backend" "$bindir/gaea" search $SEARCH_ARGS
elif ((xla_ok)) && [[ -x $bindir/gradcheck ]]; then
  step "grouped-conv gradients on XLA vs GoMLX's VJP and pure Go" 120 \
    env "${gpu_env[@]}" GOMLX_BACKEND="$xla_backend" "$bindir/gradcheck"
fi
if ((xla_ok)) && [[ -z ${SEARCH_ARGS:-} && -x $bindir/gaea ]]; then
  runs=$(mktemp -d /tmp/gaea-runs.XXXXXX)
  step "gaea search nb201 gaea-darts, paper size (C=24, N=5), embedded data, 1 epoch" 150 \
    env "${gpu_env[@]}" GOMLX_BACKEND="$xla_backend" "$bindir/gaea" search --space nb201 --algo gaea-darts \
    --preset paper --dataset embedded --subset 2048 --epochs 1 --out "$runs/nb201"
  step "gaea search darts gaea-pcdarts, C=16, 8 layers, batch 64, embedded data, 1 epoch" 200 \
    env "${gpu_env[@]}" GOMLX_BACKEND="$xla_backend" "$bindir/gaea" search --space darts --algo gaea-pcdarts \
    --preset paper --batch 64 --dataset embedded --subset 1024 --epochs 1 --out "$runs/darts"
  for r in nb201 darts; do
    [[ -f $runs/$r/result.json ]] && { echo "--- $r result.json (head)"; head -c 1500 "$runs/$r/result.json"; echo; }
    [[ -n ${OUT:-} && -d $runs/$r ]] && cp "$runs/$r/result.json" "$OUT/search-$r-result.json" 2>/dev/null
  done
fi

# ---------------------------------------------------------------------------------------------------------
# The python for PyTorch: the jax venv's if it has torch, else the first candidate that has it.
tpy=""
for c in "$py" "${candidates[@]}"; do
  [[ -n $c && -x $c ]] && timeout 60 "$c" -c 'import torch' 2>/dev/null && { tpy=$c; break; }
done
echo "python with torch: ${tpy:-none}"
if [[ -n ${ONLY_PROJECT_CHECKS:-} ]]; then
  say "PyTorch and CPU comparisons skipped (ONLY_PROJECT_CHECKS set)"
elif [[ -n $tpy ]] && timeout 60 "$tpy" -c 'import torch, sys; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available()); sys.exit(0 if torch.cuda.is_available() else 3)'; then
  for b in 64 256; do
    step "pytorch cuda batch $b" 100 "$tpy" "$torch_script" --device cuda --batch "$b" --steps 50 --warmup 5 --threads "$(nproc)" --json
  done
else
  say "PYTORCH CUDA SKIPPED: ${tpy:-no python with torch} has no torch with CUDA"
  order+=("pytorch cuda")
  status["pytorch cuda"]="SKIP(no torch+cuda)"
fi

# CPU references (same machine, all cores).
if [[ -x $bin && -z ${ONLY_PROJECT_CHECKS:-} ]]; then
  step "pure-Go CPU batch 64 (GOMLX_BACKEND=go)" 120 \
    env GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1 "$bin" -batch 64 -steps 10 -warmup 2 -json
fi
if [[ -n $tpy && -z ${ONLY_PROJECT_CHECKS:-} ]]; then
  step "pytorch cpu batch 64" 60 "$tpy" "$torch_script" --device cpu --batch 64 --steps 10 --warmup 2 --threads "$(nproc)" --json
fi

# ---------------------------------------------------------------------------------------------------------
say "SUMMARY"
for n in "${order[@]}"; do
  printf '  %-60s %s\n' "$n" "${status[$n]}"
done
sumpy=${tpy:-${py:-python3}}
if [[ -s $results ]] && command -v "$sumpy" >/dev/null; then
  "$sumpy" - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"\n  {'program':8} {'backend':34} {'batch':>5} {'params':>6} {'median ms':>10} {'min ms':>8} {'img/s':>10} {'1st step ms':>11}  device")
for r in rows:
    print(f"  {r['program']:8} {r['backend'][:34]:34} {r['batch']:>5} {r['params']:>6} {r['median_ms']:>10.3f} "
          f"{r['min_ms']:>8.3f} {r['images_per_s']:>10.0f} {r['first_step_ms']:>11.1f}  {str(r.get('device'))[:40]}")
EOF
fi
echo
echo "log: $log   results: $results   total ${SECONDS}s"
if ((xla_ok)); then
  echo "RESULT: XLA GPU path OK ($xla_backend)"
  finish 0
fi
echo "RESULT: XLA GPU path FAILED"
finish 1
