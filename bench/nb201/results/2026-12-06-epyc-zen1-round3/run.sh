#!/bin/bash
# Issue 22, round 3: the table of bench/nb201/compare.sh with its new columns (GFLOP/iter, % of the
# machine's GEMM peak for ours and PyTorch) on a quiet machine — nothing else running, load average in
# each log — at 2 and 1 threads, and the conv-net step (bench/convnet/compare.sh). Run from the
# repository root; writes here: compare-t2.txt, compare-t1.txt, convnet.txt (each the script's whole
# output, its host line with CPU, SIMD and load first).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1
bash bench/nb201/compare.sh --threads 2 --reps 5 --warmup 1 --configs nb201-quick,nb201-c16,nb201-c24,darts-pc >"$out/compare-t2.txt" 2>&1
bash bench/nb201/compare.sh --threads 1 --reps 5 --warmup 1 --configs nb201-quick,nb201-c16 >"$out/compare-t1.txt" 2>&1
bash bench/convnet/compare.sh --rounds 2 --steps 10 >"$out/convnet.txt" 2>&1
echo "load at the end: $(cat /proc/loadavg)" >>"$out/convnet.txt"
