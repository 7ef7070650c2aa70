#!/usr/bin/env bash
# Makes the stored searches and rankings that notebook 07 reads: a GAEA search and an RS-WS search (uniform
# single paths) of the same budget on NAS-Bench-201 at CPU scale — the first 2,000 CIFAR-10 training images,
# 3 epochs (189 iterations of one weight step each, batch 32, the same weight batches), the same weight
# settings (SGD momentum 0.9 without Nesterov, weight decay 3e-4, cosine over the 3 epochs), the same 4 ops
# (no `none`), C = 8, N = 1, seed 1; GAEA single-level (ERM) with η = 1, 10× the paper's 0.1, so that θ moves
# — then `gaea rank` on each: the best 20 cells of the table that the supernets can express and 100 others
# drawn uniformly (seed 1), each evaluated as one path of the supernet (gaea.Search.EvaluateGenotypes) on
# the first 1,024 CIFAR-10 test images (8 batches of 128, batch statistics), against the table's CIFAR-10
# accuracy.
# 45 min in all on 2026-12-06 (2,714 s: the two searches 780 s, the rankings 1,226 s and 691 s) on 2 CPU cores shared
# with other jobs (load average ~10), AVX2 kernel; most of it is the 2 × 120 × 8 single-path evaluations.
#
#   bash notebooks/data/07/make.sh      (from the repository root; CIFAR-10 from $GAEA_DATA, else ../shared/data)
#
# Keeps settings.json, result.json, history.jsonl and the last checkpoint of each search in
# notebooks/data/07/{gaea,rsws}/ and each ranking (gaea rank --json) in notebooks/data/07/{gaea,rsws}.rank.json.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export GOMLX_BACKEND="${GOMLX_BACKEND:-go}" GAEA_QUIET_BACKEND=1
export GAEA_DATA="${GAEA_DATA:-$(cd .. && pwd)/shared/data}"
# The GEMM micro-kernel of the pure-Go backend sets the last bits of every float32 product, and the notebook
# re-runs iterations and evaluations live and checks them bit for bit: use one that every amd64 machine kind
# here has (AVX2; the AVX-512 machines would otherwise pick avx512) and record it for the notebook.
export GAEA_GEMM_KERNEL="${GAEA_GEMM_KERNEL:-avx2}"
keep=notebooks/data/07
echo "$GAEA_GEMM_KERNEL" >"$keep/gemm-kernel.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bin/gaea" ./cmd/gaea
common=(--preset quick --dataset cifar10 --subset 2000 --epochs 3 --schedule-epochs 3 --level single
  --nesterov false --weight-decay 0.0003 --with-none false --seed 1)
start=$(date +%s)
"$tmp/bin/gaea" search "${common[@]}" --algo gaea-darts --arch-lr 1 --out "$tmp/gaea" | tail -n 2
"$tmp/bin/gaea" search "${common[@]}" --algo rsws --out "$tmp/rsws" | tail -n 2
echo "searches: $(( $(date +%s) - start )) s"
for run in gaea rsws; do
  rm -rf "${keep:?}/$run"
  mkdir -p "$keep/$run"
  cp "$tmp/$run/settings.json" "$tmp/$run/result.json" "$tmp/$run/history.jsonl" "$keep/$run/"
  cp -r "$tmp/$run/checkpoint" "$keep/$run/" # the last checkpoint only (not checkpoint.prev)
  # Ranked on the kept folder, whose name the JSON records (relative to the repository).
  "$tmp/bin/gaea" rank "$keep/$run" --top 20 --random 100 --seed 1 --images 1024 --batch 128 --json "$keep/$run.rank.json"
done
echo "make.sh: $(( $(date +%s) - start )) s"
