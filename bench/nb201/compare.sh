#!/usr/bin/env bash
# Times one GAEA search iteration of our supernets (bench/nb201, GoMLX) and of the same supernets in
# PyTorch (torch_nb201.py) on this machine, config by config, and prints a table of both.
#
# Usage, from anywhere in the repository:
#   bench/nb201/compare.sh [--threads N] [--reps 5] [--warmup 2] [--configs a,b] [--rounds R] [--baseline BIN]
# --threads sets GOMAXPROCS and torch.set_num_threads (default: `nproc`).
# --configs picks from nb201-quick,nb201-c16,nb201-c24,darts-pc (default: all).
# --rounds R alternates Go and PyTorch R times per config (default 1) and keeps each side's best median.
# --baseline BIN also times BIN, a bench/nb201 binary built from an older commit (the "before" of a
# speed change), right after ours in every round, and adds its column and the after/before ratio.
# Every config runs in its own process on each side, so the peak RSS is that config's.
# The Go side uses whatever backend package backend picks (GOMLX_BACKEND, else XLA if a PJRT plugin is
# installed, else pure Go); GOMLX_NO_AUTO_INSTALL=1 is set unless already set, so no plugin download is
# tried. PYTHON (default /usr/bin/python3) picks the interpreter that has torch.
# Exits 1 if the two sides' parameter counts differ for a config, 2 on a bad argument.
set -euo pipefail

all_configs=nb201-quick,nb201-c16,nb201-c24,darts-pc
threads=$(nproc) reps=5 warmup=2 configs=$all_configs rounds=1 baseline=
bad() { echo "compare.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads|--reps|--warmup|--configs|--rounds|--baseline)
      [[ $# -ge 2 ]] || bad "$1 needs a value"
      case "$1" in
        --threads) threads=$2 ;; --reps) reps=$2 ;; --warmup) warmup=$2 ;;
        --configs) configs=$2 ;; --rounds) rounds=$2 ;; --baseline) baseline=$2 ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) bad "unknown argument $1 (see --help)" ;;
  esac
done
for v in threads reps rounds; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || bad "--$v must be an integer >= 1, got '${!v}'"
done
[[ -z $baseline || -x $baseline ]] || bad "--baseline $baseline is not an executable"
[[ $warmup =~ ^[0-9]+$ ]] || bad "--warmup must be an integer >= 0, got '$warmup'"
[[ $configs == all ]] && configs=$all_configs
[[ $configs =~ ^[^,]+(,[^,]+)*$ ]] || bad "--configs wants a comma-separated list of names, got '$configs'"
IFS=, read -r -a chosen <<<"$configs"
for c in "${chosen[@]}"; do
  [[ ,$all_configs, == *,"$c",* ]] || bad "unknown config '$c' (want some of $all_configs)"
done

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
python=${PYTHON:-/usr/bin/python3}
export GOMLX_NO_AUTO_INSTALL=${GOMLX_NO_AUTO_INSTALL:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== building the Go benchmark (go build ./bench/nb201)"
go build -o "$tmp/nb201" ./bench/nb201

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
simd=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512[a-z_0-9]*)$' | sort -u | paste -sd' ' -)
host="$cpu, $(nproc) CPUs, SIMD: ${simd:-no AVX2/AVX-512}, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== host: $host"
echo "== threads $threads, warm-up $warmup, timed iterations $reps, rounds $rounds"
for ((r = 1; r <= rounds; r++)); do
  for c in "${chosen[@]}"; do
    echo "== round $r/$rounds, $c: Go (GOMAXPROCS=$threads)"
    GOMAXPROCS=$threads "$tmp/nb201" --configs "$c" --reps "$reps" --warmup "$warmup" --json "$tmp/one.jsonl"
    cat "$tmp/one.jsonl" >>"$tmp/go.jsonl"
    if [[ -n $baseline ]]; then
      echo "== round $r/$rounds, $c: baseline $baseline (GOMAXPROCS=$threads)"
      GOMAXPROCS=$threads "$baseline" --configs "$c" --reps "$reps" --warmup "$warmup" --json "$tmp/one.jsonl"
      cat "$tmp/one.jsonl" >>"$tmp/base.jsonl"
    fi
    echo "== round $r/$rounds, $c: PyTorch ($python, --threads $threads)"
    OMP_NUM_THREADS=$threads "$python" bench/nb201/torch_nb201.py --configs "$c" --reps "$reps" --warmup "$warmup" \
      --threads "$threads" --json "$tmp/one.jsonl"
    cat "$tmp/one.jsonl" >>"$tmp/torch.jsonl"
  done
done

touch "$tmp/base.jsonl"
"$python" - "$tmp/go.jsonl" "$tmp/torch.jsonl" "$host" "$threads" "$configs" "$tmp/base.jsonl" <<'EOF'
import json, sys
go_path, torch_path, host, threads, configs, base_path = sys.argv[1:]
def best(path):
    out = {}
    for l in open(path):
        if l.strip():
            r = json.loads(l)
            if r["config"] not in out or r["median_ms"] < out[r["config"]]["median_ms"]:
                out[r["config"]] = r
    return out
g, t, base = best(go_path), best(torch_path), best(base_path)
print()
print(f"host: {host}; threads {threads} (GOMAXPROCS / torch); Go backend: {next(iter(g.values()))['backend']}; "
      f"{next(iter(t.values()))['backend']}")
print("(best median of the rounds; one iteration = architecture step + weight step, batch 64, 32x32x3)")
print()
head = ["config", "ours ms (median)", "PyTorch ms", "ours/PyTorch", "ours RSS MB", "PyTorch RSS MB", "params",
        "GFLOP/iter", "ours % of peak", "PyTorch % of peak"]
if base:
    head[1:1] = ["before ms", "after/before"]
rows, mismatch, peaks = [], [], []
for c in configs.split(","):
    a, b = g[c], t[c]
    params = str(a["params"]) if a["params"] == b["params"] else f"{a['params']} != {b['params']}"
    if a["params"] != b["params"]:
        mismatch.append(c)
    # The machine's limit: the better of the two GEMM rates (ours, torch.mm) at these threads.
    peak = max(a.get("gemm_peak_gflops", 0), b.get("gemm_peak_gflops", 0))
    peaks.append(f"{c}: ours {a.get('gemm_peak_gflops', 0):.1f}, torch.mm {b.get('gemm_peak_gflops', 0):.1f}")
    gf = a.get("gflops_per_iter", 0)
    frac = lambda ms: f"{100 * gf / (ms / 1000) / peak:.1f}" if gf > 0 and peak > 0 else "–"
    row = [c, f"{a['median_ms']:.1f}", f"{b['median_ms']:.1f}", f"{a['median_ms'] / b['median_ms']:.2f}",
           f"{a['peak_rss_mb']:.0f}", f"{b['peak_rss_mb']:.0f}", params,
           f"{gf:.2f}" if gf > 0 else "–", frac(a["median_ms"]), frac(b["median_ms"])]
    if base:
        row[1:1] = [f"{base[c]['median_ms']:.1f}", f"{a['median_ms'] / base[c]['median_ms']:.2f}"]
    rows.append(row)
print("| " + " | ".join(head) + " |")
print("|" + "|".join("---" for _ in head) + "|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print("GFLOP/iter: the convolutions' and dot products' FLOPs (2 per multiply-add) of one iteration, both blocks,")
print("forward and backward, as the pure-Go backend ran them (purego.ExecutedFLOPs); % of peak: GFLOP/iter ÷ time ÷")
print(f"the better float32 GEMM rate on {threads} threads (ours: one 512-cube product per thread at once; torch.mm);")
print("GEMM GFLOP/s per config: " + "; ".join(peaks))
print()
if mismatch:
    print(f"PARAMETER COUNTS DIFFER for {', '.join(mismatch)}: the two sides do not build the same supernet")
    sys.exit(1)
print("parameter counts match for every config")
EOF
