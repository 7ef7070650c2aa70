#!/bin/bash
# Issue 22, round 2 (purego's build-time graph rewrites): bench/nb201 of the speed branch (A) against
# bench/nb201 of main as the speed branch merged it (B, commit 34bc889: the same code without the
# rewrites), each run its own process, A and B in turn (A B A B …) so that a drift of the shared
# machine's speed hits both alike.
#
# What is here: *-speed.txt / *-main.txt, the benchmark's own line of every process in run order
# (median of its timed iterations after its warm-up; the first pair of each nb201-quick call is an
# untimed warm-up pair); *.log, the load average at the start and end of each call;
# whole-process.txt, the whole-process figures of each call (wall, user + system, peak RSS: the OS's
# accounting of each finished child; min, median, max over the counted runs, and the A/B ratios taken
# pair by pair); profile-*, CPU profiles of A (and of B for nb201-quick) at GOMAXPROCS=1 (pprof -top,
# the per-iteration times in the .jsonl). The runs were made by a pairing harness that starts exactly
# these command lines in this order; this script does the same with /usr/bin/time -v (the *.time
# files it writes hold the whole-process figures). nb201-quick at 2 threads ran twice (-b: the second
# call, after the profiles). Run from the repository root of the speed branch.
#
#   nb201-quick: 1 warm-up pair + 5 pairs, bench --reps 5 --warmup 1, GOMAXPROCS 1 and 2 (2 twice)
#   darts-pc:    3 pairs (no warm-up pair), bench --reps 3 --warmup 1, GOMAXPROCS 1 and 2
#   profiles:    GOMAXPROCS=1; nb201-quick --reps 8 --warmup 1 (A and B), darts-pc --reps 2 --warmup 1 (A)
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)
git worktree add --detach "$bin/main-src" 34bc889 >/dev/null
(cd "$bin/main-src" && go build -o "$bin/nb201-main" ./bench/nb201)
git worktree remove --force "$bin/main-src"
go build -o "$bin/nb201-speed" ./bench/nb201
export GOMLX_BACKEND=go GOMLX_NO_AUTO_INSTALL=1

# pairs CONFIG THREADS WARMUP_PAIRS PAIRS REPS SUFFIX
pairs() {
  local cfg=$1 threads=$2 warm=$3 n=$4 reps=$5 name="$1-t$2$6" i v
  echo "start $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >"$out/$name.log"
  for ((i = 0; i < warm + n; i++)); do
    for v in speed main; do
      GOMAXPROCS=$threads /usr/bin/time -v -a -o "$out/$name-$v.time" \
        "$bin/nb201-$v" --configs "$cfg" --reps "$reps" --warmup 1 >>"$out/$name-$v.txt" 2>&1
    done
  done
  echo "end $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$out/$name.log"
}
pairs nb201-quick 1 1 5 5 ""
pairs nb201-quick 2 1 5 5 ""
pairs darts-pc 1 0 3 3 ""
pairs darts-pc 2 0 3 3 ""

# profile VERSION CONFIG REPS
profile() {
  local v=$1 cfg=$2 reps=$3
  echo "start $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >"$out/profile-$cfg-$v.log"
  GOMAXPROCS=1 "$bin/nb201-$v" --configs "$cfg" --reps "$reps" --warmup 1 --json "$out/profile-$cfg-$v.jsonl" \
    --cpuprofile "$bin/prof-$v" >>"$out/profile-$cfg-$v.log" 2>&1
  echo "end $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$out/profile-$cfg-$v.log"
  go tool pprof -top -nodecount 45 "$bin/nb201-$v" "$bin/prof-$v-$cfg.prof" >"$out/profile-$cfg-$v-top.txt"
}
profile speed nb201-quick 8
profile main nb201-quick 8
profile speed darts-pc 2
pairs nb201-quick 2 1 5 5 -b
rm -rf "$bin"
