#!/bin/bash
# Issue 22, round 6: GoMLX's Max-gradient mask fused (NonNegMul) and the convolution kernels' scratch
# slices pooled, against 4013e93 (round 5's final code, the "before" column), on a quiet machine (no
# science sweep running; load average in each log). Run from the repository root; writes here:
# darts-pc-t2.txt, darts-pc-t1.txt (bench/nb201/compare.sh: before, after, PyTorch, peak RSS),
# convnet-t2.txt, convnet-t1.txt (bench/convnet/compare.sh: ours against PyTorch, alternating rounds) and
# convnet-ab.txt (the conv-net step before and after, alternating).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/before" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/before" 4013e93 >/dev/null 2>&1
(cd "$tmp/before" && go build -o "$tmp/nb201-before" ./bench/nb201 && go build -o "$tmp/convnet-before" ./bench/convnet)
go build -o "$tmp/convnet-after" ./bench/convnet
bash bench/nb201/compare.sh --threads 2 --reps 5 --warmup 1 --baseline "$tmp/nb201-before" --configs darts-pc >"$out/darts-pc-t2.txt" 2>&1
bash bench/nb201/compare.sh --threads 1 --reps 5 --warmup 1 --baseline "$tmp/nb201-before" --configs darts-pc >"$out/darts-pc-t1.txt" 2>&1
bash bench/convnet/compare.sh --threads 2 --rounds 5 --steps 10 >"$out/convnet-t2.txt" 2>&1
bash bench/convnet/compare.sh --threads 1 --rounds 3 --steps 10 >"$out/convnet-t1.txt" 2>&1
{
  echo "conv-net step median ms, before (4013e93) and after ($(git rev-parse --short HEAD)), alternating; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  for t in 2 1; do
    for r in 1 2 3; do
      for v in before after; do
        m=$(GOMAXPROCS=$t "$tmp/convnet-$v" -batch 64 -steps 10 -warmup 2 -size 32 -json 2>/dev/null | grep -o '"median_ms":[0-9.]*' | cut -d: -f2)
        echo "threads $t round $r $v $m"
      done
    done
  done
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/convnet-ab.txt"
