#!/bin/bash
# Issue 22, round 5, at the final commit (after run.sh: the segments' in-place last tile): the conv-net step
# at 2 threads (5 rounds) and 1 thread (3 rounds), and nb201-c24 at 1 thread (ours and PyTorch), on a quiet
# machine (the science sweep paused). Run from the repository root; writes here convnet-final-t2.txt,
# convnet-final-t1.txt, compare-t1-c24.txt.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1
bash bench/convnet/compare.sh --threads 2 --rounds 5 --steps 10 >"$out/convnet-final-t2.txt" 2>&1
bash bench/convnet/compare.sh --threads 1 --rounds 3 --steps 10 >"$out/convnet-final-t1.txt" 2>&1
bash bench/nb201/compare.sh --threads 1 --reps 5 --warmup 1 --configs nb201-c24 >"$out/compare-t1-c24.txt" 2>&1
echo "commit $(git rev-parse --short HEAD), load at the end: $(cat /proc/loadavg)" | tee -a "$out/convnet-final-t2.txt" "$out/convnet-final-t1.txt" >>"$out/compare-t1-c24.txt"
