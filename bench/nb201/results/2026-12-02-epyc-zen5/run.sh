#!/bin/bash
# The speed benchmarks of issue 14, alone on the machine: starts when both sweeps are finished.
set -u
while [ "$(ls /work/science/augment/*/result.json 2>/dev/null | wc -l)" -lt 15 ] || [ "$(ls /work/science/plain/*/result.json 2>/dev/null | wc -l)" -lt 3 ]; do sleep 15; done
sleep 5
echo "$(date -u +%FT%TZ) sweeps done; benchmarks start; load $(cat /proc/loadavg)"
cd /work/main
O=/work/science/bench
mkdir -p $O
bash bench/nb201/compare.sh --threads 2 --reps 5 --warmup 1 --baseline /work/science/bin/nb201-before --configs nb201-quick,nb201-c16,nb201-c24,darts-pc > $O/nb201-t2.txt 2>&1
echo "$(date -u +%FT%TZ) nb201 t2 done"
bash bench/nb201/compare.sh --threads 1 --reps 5 --warmup 1 --baseline /work/science/bin/nb201-before --configs nb201-quick > $O/nb201-t1.txt 2>&1
echo "$(date -u +%FT%TZ) nb201 t1 done"
(cd /work/wt-before && bash bench/convnet/compare.sh --rounds 2 --steps 10) > $O/convnet-before.txt 2>&1
bash bench/convnet/compare.sh --rounds 2 --steps 10 > $O/convnet-after.txt 2>&1
echo "$(date -u +%FT%TZ) convnet done"
GOMAXPROCS=1 go test -run '^$' -bench 'Gemm/f32/conv' -benchtime 300ms ./backend/internal/gemm > $O/gemm.txt 2>&1
echo "$(date -u +%FT%TZ) all done"
