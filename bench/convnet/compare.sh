#!/usr/bin/env bash
# Runs the GoMLX convnet benchmark (bench/convnet) and its PyTorch twin (torch_convnet.py) on this
# machine, side by side, and prints both median step times and the ratio Go/PyTorch.
#
# Usage, from anywhere in the repository:
#   bench/convnet/compare.sh [--batch 64] [--steps 10] [--warmup 2] [--size 32] [--threads N] [--rounds R]
# --threads sets torch.set_num_threads and GOMAXPROCS (default: number of CPUs, `nproc`).
# --rounds R alternates the two programs R times (default 1) and reports the best median of each.
# The Go side uses whatever backend package backend picks: GOMLX_BACKEND if set, else XLA if a PJRT plugin
# is installed, else the pure-Go backend. GOMLX_NO_AUTO_INSTALL=1 is set unless already set, so that no
# plugin download is tried. PYTHON (default /usr/bin/python3) picks the interpreter that has torch.
set -euo pipefail

batch=64 steps=10 warmup=2 size=32 threads=$(nproc) rounds=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
python=${PYTHON:-/usr/bin/python3}
export GOMLX_NO_AUTO_INSTALL=${GOMLX_NO_AUTO_INSTALL:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== building the Go benchmark (go build ./bench/convnet)"
go build -o "$tmp/convnet" ./bench/convnet

echo "== host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
args=(--batch "$batch" --steps "$steps" --warmup "$warmup" --size "$size")
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r/$rounds: Go (GOMAXPROCS=$threads)"
  GOMAXPROCS=$threads "$tmp/convnet" -batch "$batch" -steps "$steps" -warmup "$warmup" -size "$size" -json \
    | tee -a "$tmp/go.jsonl"
  echo "== round $r/$rounds: PyTorch ($python, --threads $threads)"
  "$python" bench/convnet/torch_convnet.py "${args[@]}" --threads "$threads" --json | tee -a "$tmp/torch.jsonl"
done

"$python" - "$tmp/go.jsonl" "$tmp/torch.jsonl" <<'EOF'
import json, sys
def best(path):
    runs = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    return min(runs, key=lambda r: r["median_ms"])
g, t = best(sys.argv[1]), best(sys.argv[2])
print()
for name, path in [("GoMLX", sys.argv[1]), ("PyTorch", sys.argv[2])]:
    meds = [json.loads(l)["median_ms"] for l in open(path) if l.strip().startswith("{")]
    print(f"{name} median per round (ms): " + ", ".join(f"{m:.1f}" for m in meds))
print("(best round of each below; the machine's load shows in the spread)")
print()
print(f"{'':22}{'GoMLX':>22}{'PyTorch':>22}")
for key, fmt in [("backend", "{}"), ("params", "{}"), ("batch", "{}"), ("warmup", "{}"), ("steps", "{}"),
                 ("threads", "{}"), ("median_ms", "{:.2f}"), ("min_ms", "{:.2f}"), ("mean_ms", "{:.2f}"),
                 ("images_per_s", "{:.1f}"), ("first_loss", "{:.5f}"), ("last_loss", "{:.5f}")]:
    print(f"{key:22}{fmt.format(g[key]):>22}{fmt.format(t[key]):>22}")
ratio = g["median_ms"] / t["median_ms"]
print(f"\nmedian step: Go {g['median_ms']:.2f} ms, PyTorch {t['median_ms']:.2f} ms, "
      f"ratio Go/PyTorch = {ratio:.2f} ({'Go slower' if ratio > 1 else 'Go faster'})")
if g["params"] != t["params"]:
    print(f"WARNING: parameter counts differ: Go {g['params']} vs PyTorch {t['params']}")
else:
    print(f"parameter counts match: {g['params']}")
EOF
