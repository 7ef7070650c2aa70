#!/bin/bash
# Issue 22, round 5: GoMLX's ReLU (Max/Sign/BroadcastInDim over the cores in vec loops), the depthwise
# kernel gradient (depthwiseKernelGrad), im2col-free unit-stride convolutions (gemm.SegmentsB) and the
# channel-shuffle gather, against 6f9ac81 (round 4's code, the "before" column), on a quiet machine:
# the science sweep paused (SIGSTOP) for the whole run, load average in each log.
# Run from the repository root; writes here: compare-t2.txt, compare-t1.txt, convnet.txt.
# The "before" binary is built from a worktree of 6f9ac81.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/before" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/before" 6f9ac81 >/dev/null 2>&1
(cd "$tmp/before" && go build -o "$tmp/nb201-before" ./bench/nb201)
bash bench/nb201/compare.sh --threads 2 --reps 5 --warmup 1 --baseline "$tmp/nb201-before" \
  --configs nb201-quick,nb201-c16,nb201-c24,darts-pc >"$out/compare-t2.txt" 2>&1
bash bench/nb201/compare.sh --threads 1 --reps 5 --warmup 1 --baseline "$tmp/nb201-before" \
  --configs nb201-quick,nb201-c16,darts-pc >"$out/compare-t1.txt" 2>&1
bash bench/convnet/compare.sh --rounds 3 --steps 10 >"$out/convnet.txt" 2>&1
echo "load at the end: $(cat /proc/loadavg)" >>"$out/convnet.txt"
