#!/usr/bin/env bash
# Makes the precomputed searches that notebook 03 compares: GAEA DARTS, DARTS and the Euclidean ablation on
# NAS-Bench-201 at CPU scale, on the first 1,000 CIFAR-10 training images, 2 epochs (64 iterations), seeds
# 1–3, all single-level so that only the geometry of θ differs; and GAEA again at η = 4, the EG rate whose
# first step near the uniform point (Δθ ≈ θ·η·g, θ = ¼) is as long as the Euclidean step at η = 1.
# ~40–75 s per search on 2 CPU cores (12 searches; 10.5 min in all on 2026-12-05, AVX2 kernel).
#
#   GAEA_DATA=../shared/data bash notebooks/data/03/make.sh      (from the repository root)
#
# Keeps result.json and history.jsonl of each search in notebooks/data/03/<algo>-seed<N>/.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export GOMLX_BACKEND="${GOMLX_BACKEND:-go}" GAEA_QUIET_BACKEND=1
# The GEMM micro-kernel of the pure-Go backend sets the last bits of every float32 product, and the notebook
# re-runs 8 iterations live and checks them bit for bit: use one that every amd64 machine kind here has (AVX2;
# the AVX-512 machines would otherwise pick avx512) and record it for the notebook.
export GAEA_GEMM_KERNEL="${GAEA_GEMM_KERNEL:-avx2}"
echo "$GAEA_GEMM_KERNEL" >notebooks/data/03/gemm-kernel.txt
bin="$(mktemp -d)/gaea"
go build -o "$bin" ./cmd/gaea
for seed in 1 2 3; do
  for variant in gaea-darts darts euclid-darts gaea-darts-lr4; do
    algo="${variant%-lr4}"
    case "$variant" in darts) lr=0.003 ;; gaea-darts-lr4) lr=4 ;; *) lr=1 ;; esac # 10× each paper value; 40× for -lr4
    out="$(mktemp -d)/run"
    "$bin" search --preset quick --dataset cifar10 --subset 1000 --epochs 2 --level single \
      --arch-lr "$lr" --seed "$seed" --algo "$algo" --out "$out" | tail -n 2
    keep="notebooks/data/03/$variant-seed$seed"
    mkdir -p "$keep"
    cp "$out/result.json" "$out/history.jsonl" "$keep/"
  done
done
