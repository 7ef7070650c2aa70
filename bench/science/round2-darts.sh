#!/bin/bash
# Issue 25, science round 2, part 3: the DARTS space judged as the paper judges it, at a CPU scale.
#
# 1. Search: GAEA PC-DARTS against PC-DARTS on the DARTS space, seeds 0-2, bilevel as PC-DARTS's
#    train_search.py (train_portion 0.5: here the first 5,000 images of each half of CIFAR-10's training
#    set), supernet C=8 with 5 cells (reference 16 and 8), batch 64 (reference 256 for PC-DARTS), SEARCH_EPOCHS
#    (default 4) epochs of 79 iterations (reference 50; §1's NAS-Bench-1Shot1 runs: the same 316), K=4
#    partial channels and edge weights β, every other value --preset quick's (gaea presets; PC-DARTS's
#    warm-up its paper's 15/50 of the epochs). The answer of each search is what the preset selects.
# 2. Train: every found genotype, and two anchors — DARTS_V2 and PC-DARTS's CIFAR-10 cell (PC_DARTS_cifar
#    in liamcli/gaea_release cnn/search_spaces/darts/genotypes.py; no cell there is labelled the GAEA
#    paper's, and its edarts4 has 1.9 M parameters where the paper's has 3.7 M) — from scratch under one reduced protocol:
#    C=16 with 8 layers (reference 36 and 20), the first 10,000 training images, TRAIN_EPOCHS (default 5)
#    epochs (reference 600), batch 96, cutout 16, auxiliary head 0.4, drop-path 0.2 grown over the epochs, grad
#    clip 5, SGD 0.025 cosine (the space's protocol: gaea presets --train), seed 0; test accuracy on the
#    10,000 test images after every epoch.
#
# Cost on the Zen 1 EPYC of bench/RESULTS.md §2, each job at 1 thread, two at a time (2026-12-06, binary of bcb4aae):
# a search of 316 iterations (C=8, 5 cells) 17-20 min (a search iteration about 2.7 s beside a training,
# more beside a second search), the six in 56 min 40 s; a training of 10,000 images per epoch (C=16,
# 8 layers) about 3 min per epoch and 20 s per test pass. The first version of this script (10 training
# epochs, its cost estimated on a busier machine) was stopped with 2 of 6 searches done, and its output
# did not survive the session; the study was rerun whole at 5 epochs to fit one sitting.
# Committed from OUT: each finished run's result.json and settings.json, and a training's history.jsonl
# (copied by hand as each run finished; OUT, default runs/round2-darts, is ignored by git).
# SEARCH_SUBSET, TRAIN_SUBSET and TEST_SUBSET (defaults 5000, 10000 and 0 = all) exist for a smoke test
# of the script.
#
# Resumable: run it again and the sweep continues (finished searches kept, interrupted ones resumed); a
# training with a result.json is kept, an interrupted one resumes from its checkpoint (--resume).
# Run from the repository root with the gaea binary of main as GAEA (default: go build); JOBS searches
# or trainings at a time (default 2, one per core: each at GOMAXPROCS=1).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-runs/round2-darts}
if [[ -z ${GAEA:-} ]]; then
  GAEA=$(mktemp -d)/gaea
  go build -o "$GAEA" ./cmd/gaea
fi
export GOMAXPROCS=1
jobs=${JOBS:-2}
data=(--dataset cifar10 --data-dir "${GAEA_DATA:-../shared/data}")
"$GAEA" sweep --out "$out/search" --spaces darts --algos gaea-pcdarts,pcdarts --seeds 0-2 "${data[@]}" \
  --preset quick --level bi --subset "${SEARCH_SUBSET:-5000}" --channels 8 --cells 5 --batch 64 --epochs "${SEARCH_EPOCHS:-4}" --jobs "$jobs"
"$GAEA" aggregate "$out/search" >"$out/search/aggregate.txt"

# The trainings: one folder per cell, JOBS at a time.
train=(--channels 16 --layers 8 --subset "${TRAIN_SUBSET:-10000}" --test-subset "${TEST_SUBSET:-0}" --epochs "${TRAIN_EPOCHS:-5}" --batch 96 --seed 0 "${data[@]}")
runs=()
for d in "$out"/search/darts-*-s*/; do
  runs+=("from:$d")
done
runs+=(genotype:DARTS_V2 genotype:PC_DARTS_cifar)
one() {
  local spec=$1 name dir
  case "$spec" in
    from:*) name=$(basename "${spec#from:}") ;;
    genotype:*) name=anchor-${spec#genotype:} ;;
  esac
  dir="$out/train/$name"
  if [[ -f $dir/result.json ]]; then
    return 0
  elif [[ -d $dir ]]; then
    "$GAEA" train --resume "$dir" >>"$out/train/$name.log" 2>&1
  elif [[ $spec == from:* ]]; then
    "$GAEA" train --from "${spec#from:}" --out "$dir" "${train[@]}" >>"$out/train/$name.log" 2>&1
  else
    "$GAEA" train --genotype "${spec#genotype:}" --out "$dir" "${train[@]}" >>"$out/train/$name.log" 2>&1
  fi
}
mkdir -p "$out/train"
running=0
for spec in "${runs[@]}"; do
  one "$spec" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
echo "round2-darts: $(ls "$out"/train/*/result.json 2>/dev/null | wc -l) of ${#runs[@]} trainings finished in $out/train"
