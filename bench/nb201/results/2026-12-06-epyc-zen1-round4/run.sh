#!/bin/bash
# Issue 22, round 4: this session's kernels (the AVX2 12×8 GEMM kernel, package vec's AVX loops for
# element-wise ops, batch norm, window sums, depthwise convolutions and im2col copies; equal-shape and
# scalar binary ops in purego; simplego's ops in sequence) against the code the session started from
# (b9192cf, the round-3 kernels), on a quiet machine: nothing else running, load average in each log.
# Run from the repository root; writes here: compare-t2.txt, compare-t1.txt, convnet.txt, mainjob.txt.
# The "before" binaries are built from a worktree of b9192cf.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/before" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/before" b9192cf >/dev/null 2>&1
(cd "$tmp/before" && go build -o "$tmp/nb201-before" ./bench/nb201 && go build -o "$tmp/gaea-before" ./cmd/gaea)
go build -o "$tmp/gaea-after" ./cmd/gaea
bash bench/nb201/compare.sh --threads 2 --reps 5 --warmup 1 --baseline "$tmp/nb201-before" \
  --configs nb201-quick,nb201-c16,nb201-c24,darts-pc >"$out/compare-t2.txt" 2>&1
bash bench/nb201/compare.sh --threads 1 --reps 5 --warmup 1 --baseline "$tmp/nb201-before" \
  --configs nb201-quick,nb201-c16 >"$out/compare-t1.txt" 2>&1
bash bench/convnet/compare.sh --rounds 2 --steps 10 >"$out/convnet.txt" 2>&1
# The README's main job (gaea search: quick GAEA-DARTS on NAS-Bench-201, embedded CIFAR-10 sample),
# before and after, wall time of the whole command (compiled binaries: go run's build time left out).
{
  echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for side in before after after before; do
    s=$(date +%s.%N)
    "$tmp/gaea-$side" search --out "$tmp/main-$side-$RANDOM" >"$tmp/main.log" 2>&1
    e=$(date +%s.%N)
    printf 'main job %-6s %.1f s   %s\n' "$side" "$(echo "$e - $s" | bc)" "$(grep -m1 -o 'NAS-Bench-201[^,]*' "$tmp/main.log" || true)"
  done
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/mainjob.txt" 2>&1
echo "load at the end: $(cat /proc/loadavg)" >>"$out/convnet.txt"
