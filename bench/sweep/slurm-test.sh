#!/usr/bin/env bash
# A real Slurm test of `gaea sweep --executor slurm` on this one machine: starts a munged, a slurmctld
# and a slurmd of a private one-node cluster (own munge socket, config, ports, state and logs under a
# temporary folder, so that runs side by side do not meet), submits a tiny sweep (teaching space, 2 algorithms × 2 seeds) as a job
# array, waits for it, and checks `gaea sweep status` and `gaea aggregate`. Stops what it started.
# Where Slurm cannot start it prints one line `slurm: skipped — <reason>` and exits 0; a sweep that
# runs and fails exits 1. Run as root (it starts daemons): bash bench/sweep/slurm-test.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

skip() { echo "slurm: skipped — $*"; exit 0; }
fail() { echo "slurm: FAILED — $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "not root (the test starts munged, slurmctld and slurmd)"
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "installing slurm-wlm munge (Debian)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } >/tmp/slurm-test-apt.log 2>&1 ||
    skip "apt-get install slurm-wlm munge failed (see /tmp/slurm-test-apt.log)"
fi
command -v go >/dev/null 2>&1 || skip "no Go toolchain to build gaea"

WORK=$(mktemp -d /tmp/gaea-slurm-test.XXXXXX)
PIDS=()
MUNGE_PID=""
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  if [ -n "$MUNGE_PID" ]; then kill -TERM "$MUNGE_PID" 2>/dev/null; fi
  [ -n "${GAEA_SLURM_KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# munge: a private munged (own socket, as the munge user) with the system key, so that this test
# neither depends on nor stops a munged that something else uses.
id munge >/dev/null 2>&1 || skip "no munge user (the munge package did not install it)"
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
  chown -R munge:munge /etc/munge; chmod 700 /etc/munge; chmod 400 /etc/munge/munge.key
fi
chmod 755 "$WORK"
mkdir -p "$WORK/munge"
chown munge:munge "$WORK/munge"
chmod 755 "$WORK/munge"
MUNGE_SOCKET="$WORK/munge/munge.socket"
runuser -u munge -- munged --socket="$MUNGE_SOCKET" --pid-file="$WORK/munge/munged.pid" \
  --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed" >"$WORK/munged.out" 2>&1 ||
  skip "munged did not start: $(tail -n 1 "$WORK/munged.out")"
for _ in $(seq 50); do [ -s "$WORK/munge/munged.pid" ] && break; sleep 0.1; done
MUNGE_PID=$(cat "$WORK/munge/munged.pid" 2>/dev/null)
munge --socket="$MUNGE_SOCKET" -n </dev/null >/dev/null 2>&1 || skip "munged does not answer on $MUNGE_SOCKET"

# Two free TCP ports for our controller and node daemon.
read -r CTLD_PORT SLURMD_PORT < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])' 2>/dev/null) || skip "cannot choose free ports (python3 missing)"
HOST=$(hostname -s 2>/dev/null || hostname)
MEM=$(awk '/MemTotal/ {print int($2/1024*0.8)}' /proc/meminfo)
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log"
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=gaeatest
SlurmctldHost=$HOST
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
NodeName=$HOST CPUs=2 RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -i -f "$SLURM_CONF" >"$WORK/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" >"$WORK/log/slurmd.out" 2>&1 &
PIDS+=($!)
idle=""
for _ in $(seq 60); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qx idle; then idle=1; break; fi
  for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || break 2; done
  sleep 1
done
if [ -z "$idle" ]; then
  why=$(cat "$WORK"/log/*.out "$WORK"/log/*.log 2>/dev/null | grep -iE 'error|fatal' | tail -n 1)
  skip "slurmctld/slurmd did not bring the node up idle in 60 s${why:+: $why}"
fi
echo "slurm: $(sinfo -h -o '%P %D %t %c CPUs %m MB' | head -n 1) (slurm $(sinfo -V | awk '{print $2}'))"

# The sweep.
go build -tags noxla -o "$WORK/gaea" ./cmd/gaea || fail "go build"
SW="$WORK/sweep"
export GOMLX_BACKEND=go
"$WORK/gaea" sweep --executor slurm --out "$SW" --algos gaea-darts,darts --seeds 0,1 \
  --space tiny --dataset embedded --preset quick --subset 96 --batch 16 --epochs 2 --channels 4 \
  --slurm-time 0:10:00 --slurm-cpus 1 --slurm-mem 1000 --slurm-job-name gaea-slurm-test || fail "gaea sweep --executor slurm"
for i in $(seq 300); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 1
done
"$WORK/gaea" sweep status "$SW" | tee "$WORK/status.txt"
grep -q '^4 cells: 4 done' "$WORK/status.txt" || {
  for f in "$SW"/logs/slurm-*.out; do echo "--- $f"; tail -n 5 "$f"; done
  fail "not every cell finished"
}
"$WORK/gaea" aggregate "$SW" | tee "$WORK/aggregate.txt" || fail "gaea aggregate"
grep -qE '^gaea-darts +2 ' "$WORK/aggregate.txt" && grep -qE '^darts +2 ' "$WORK/aggregate.txt" || fail "aggregate table: want gaea-darts and darts with 2 runs each"
[ -s "$SW/aggregate.html" ] || fail "no aggregate.html"
n=$(ls "$SW"/logs/slurm-*.out 2>/dev/null | wc -l)
[ "$n" = 4 ] || fail "want 4 array-task logs, got $n"
echo "slurm: ok — 4 array tasks ran the sweep's cells; gaea aggregate agrees"

# A grid with a cell gaea search would refuse (PC-DARTS needs the darts space) is refused before
# anything is written or submitted (exit 2).
SW4="$WORK/refused"
"$WORK/gaea" sweep --executor slurm --out "$SW4" --algos gaea-darts,gaea-pcdarts --seeds 0 --space tiny --dataset embedded \
  --preset quick --slurm-cpus 1 --slurm-mem 1000 2>"$WORK/refused.txt"
code=$?
[ "$code" = 2 ] && grep -q 'algo gaea-pcdarts needs one of the spaces' "$WORK/refused.txt" && [ ! -e "$SW4" ] ||
  fail "an invalid grid was not refused before submission (exit $code: $(cat "$WORK/refused.txt"))"
echo "slurm: ok — an invalid grid is refused before anything is submitted"

# A failing cell (its data set, ImageNet16, is not on the node) is reported by gaea sweep status; the
# other finishes.
SW3="$WORK/failing"
mkdir -p "$WORK/nodata"
GAEA_DATA="$WORK/nodata" "$WORK/gaea" sweep --executor slurm --out "$SW3" --algos gaea-darts --datasets embedded,imagenet16-120 \
  --seeds 0 --space tiny --preset quick --subset 96 --batch 16 --epochs 2 --channels 4 --slurm-cpus 1 --slurm-mem 1000 \
  --slurm-opt --export=ALL,GAEA_DATA="$WORK/nodata" >/dev/null ||
  fail "gaea sweep --executor slurm (failing cell)"
for _ in $(seq 300); do
  [ -z "$(squeue -h 2>/dev/null)" ] && break
  sleep 1
done
"$WORK/gaea" sweep status "$SW3" | tee "$WORK/status3.txt"
grep -q '^2 cells: 1 done, 0 started, 1 failed' "$WORK/status3.txt" && grep -q 'no ImageNet16' "$WORK/status3.txt" ||
  fail "the failing cell is not reported as failed"
echo "slurm: ok — a failing cell is reported, the other finished"

# A requeued task resumes its cell from the checkpoint.
SW2="$WORK/requeue"
"$WORK/gaea" sweep --executor slurm --out "$SW2" --algos gaea-darts --seeds 0 --space tiny --dataset embedded \
  --preset quick --subset 96 --batch 16 --epochs 40 --channels 4 --checkpoint-every 5 --slurm-cpus 1 --slurm-mem 1000 >/dev/null ||
  fail "gaea sweep --executor slurm (requeue test)"
JOB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$SW2/slurm.json")
CELL="$SW2/tiny-gaea-darts-s0"
for _ in $(seq 600); do
  [ -e "$CELL/progress.json" ] && break
  sleep 0.1
done
[ -e "$CELL/progress.json" ] || fail "the requeue test's cell made no checkpoint"
"$WORK/gaea" sweep status "$SW2" | head -n 1
scontrol requeue "${JOB}_0" || fail "scontrol requeue ${JOB}_0"
# Slurm holds a requeued job for two minutes (BeginTime); let it start now.
for _ in $(seq 120); do
  if [ "$(squeue -h -j "$JOB" -o '%T %r' 2>/dev/null)" = "PENDING BeginTime" ]; then
    scontrol update JobId="${JOB}_0" StartTime=now && break
  fi
  sleep 0.5
done
echo "requeued ${JOB}_0"
for _ in $(seq 300); do
  [ -e "$CELL/result.json" ] && break
  sleep 1
done
LOG=$(ls "$SW2"/logs/slurm-*.out | head -n 1)
[ -e "$CELL/result.json" ] || { tail -n 20 "$LOG"; fail "the requeued cell did not finish"; }
grep -q 'restart 1' "$LOG" && grep -q '^resuming .* at iteration [1-9]' "$LOG" || { cat "$LOG"; fail "the requeued task did not resume the cell"; }
grep -E '^gaea sweep: task|^resuming|interrupted' "$LOG"
echo "slurm: ok — the requeued array task resumed its cell from the checkpoint"
