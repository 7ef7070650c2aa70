#!/bin/bash
# Issue 25, science round 2, parts 1 and 2 on NAS-Bench-201 at the CPU scale of §1 (CIFAR-10, 10,000
# training images, C=8, N=1, batch 64): every row of the §1 table over seeds 0-4, rerun under the
# fidelity changes (PyTorch's initialisation, bias-free search convs, per-epoch validation), and
# single level against bilevel for GAEA-DARTS and DARTS with equal weight steps and equal images seen.
# Resumable: run it again and each sweep continues (finished cells are kept, interrupted ones resume).
# Run from the repository root with the gaea binary of main as GAEA (default: go build); JOBS searches
# at a time (default 2, one per core: each runs at GOMAXPROCS=1).
#
#   single level: 10,000 images for both blocks, 4 epochs of 157 iterations = 628 weight steps
#   bilevel:      the first 5,000 of each half (train / held-out), 8 epochs of 79 = 632 weight steps;
#                 each weight image seen 8 times (single: 4 times each of twice as many)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-bench/science/round2}
if [[ -z ${GAEA:-} ]]; then
  GAEA=$(mktemp -d)/gaea
  go build -o "$GAEA" ./cmd/gaea
fi
export GOMAXPROCS=1
data=(--dataset cifar10 --data-dir "${GAEA_DATA:-../shared/data}" --channels 8 --cells 1 --batch 64 --preset quick --jobs "${JOBS:-2}")
single=(--subset 10000 --epochs 4 --level single)
"$GAEA" sweep --out "$out/augment" --algos gaea-darts,darts,euclid-darts,gaea-gdas,gdas --seeds 0-4 "${data[@]}" "${single[@]}"
"$GAEA" sweep --out "$out/plain" --algos gaea-darts --seeds 0-4 --augment-arch=false "${data[@]}" "${single[@]}"
"$GAEA" sweep --out "$out/bilevel" --algos gaea-darts,darts --seeds 0-4 --subset 5000 --epochs 8 --level bi "${data[@]}"
for d in augment plain bilevel; do "$GAEA" aggregate "$out/$d" >"$out/$d/aggregate.txt"; done
