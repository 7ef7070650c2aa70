#!/usr/bin/env bash
# Behaviour unchanged: runs a fixed set of short searches and one short training with the gaea built
# from REV (default HEAD) and with the one built from the working tree, and compares their history.jsonl
# and result.json record by record, every value to the bit (JSON numbers as Go writes them; only the
# wall-time "seconds" fields are left out). For refactors that must not change what any run computes.
#
#   bench/behaviour/compare.sh [REV]       (from anywhere in the repository)
#
# The set: NAS-Bench-201 gaea-darts (at 4 channels and at 8, where the kernels' 8-lane vector paths
# run: batch norm, the narrow GEMM kernel), darts, gdas and rsws; the DARTS space gaea-pcdarts; the teaching
# space gaea-darts; `gaea train` of an NB201 cell. All on the embedded CIFAR-10 sample, pure-Go backend,
# the GEMM kernel level this CPU picks (the same for both builds). About 2 minutes on 2 cores.
# Exits 0 when every file matches, 1 when one differs (a diff of the first differing lines is printed),
# 2 on a bad argument.
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"

rev=${1:-HEAD}
case "$rev" in -h|--help) sed -n '2,13p' "$0"; exit 0 ;; esac
git rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "compare.sh: $rev is not a commit" >&2; exit 2; }

work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/src" "$rev" >/dev/null 2>&1
(cd "$work/src" && go build -tags noxla -o "$work/gaea-before" ./cmd/gaea)
go build -tags noxla -o "$work/gaea-after" ./cmd/gaea

export GOMLX_BACKEND=go GAEA_QUIET_BACKEND=1 GOMLX_NO_AUTO_INSTALL=1
small=(--dataset embedded --preset quick --subset 64 --batch 16 --epochs 2 --channels 4 --seed 3)
runs=(
  "nb201-gaea-darts|search --space nb201 --algo gaea-darts --cells 1 ${small[*]}"
  "nb201-gaea-darts-c8|search --space nb201 --algo gaea-darts --cells 1 ${small[*]} --channels 8"
  "nb201-darts|search --space nb201 --algo darts --cells 1 ${small[*]}"
  "nb201-gdas|search --space nb201 --algo gdas --cells 1 ${small[*]}"
  "nb201-rsws|search --space nb201 --algo rsws --cells 1 --candidates 4 --valid-batch 16 ${small[*]}"
  "darts-gaea-pcdarts|search --space darts --algo gaea-pcdarts --cells 3 --partial-channels 2 ${small[*]} --subset 16 --batch 4"
  "tiny-gaea-darts|search --space tiny --algo gaea-darts ${small[*]}"
  "train-nb201|train --space nb201 --arch |nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2| --dataset cifar10-sample --channels 4 --cells 1 --subset 64 --test-subset 32 --batch 16 --epochs 2 --seed 3"
)
status=0
for r in "${runs[@]}"; do
  name=${r%%|*}
  read -r -a args <<<"${r#*|}"
  for side in before after; do
    "$work/gaea-$side" "${args[@]}" --out "$work/$side/$name" >"$work/$side-$name.log" 2>&1 ||
      { echo "$name: gaea ($side) failed:"; tail -n 5 "$work/$side-$name.log"; exit 1; }
  done
  for f in history.jsonl result.json; do
    a="$work/before/$name/$f" b="$work/after/$name/$f"
    # Wall-time fields ("seconds", in result.json and in a training's history lines) are left out.
    python3 -c 'import json,sys
def strip(v):
    if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k != "seconds"}
    if isinstance(v, list): return [strip(x) for x in v]
    return v
for p in sys.argv[1:]:
    text = open(p).read()
    docs = [json.loads(l) for l in text.splitlines() if l.strip()] if p.endswith(".jsonl") else [json.loads(text)]
    open(p + ".cmp", "w").write("".join(json.dumps(strip(d), sort_keys=True) + "\n" for d in docs))' "$a" "$b"
    a="$a.cmp" b="$b.cmp"
    if cmp -s "$a" "$b"; then
      printf '%-20s %-14s same (%s)\n' "$name" "$f" "$(sha256sum <"$a" | cut -c1-12)"
    else
      printf '%-20s %-14s DIFFERS\n' "$name" "$f"
      diff <(head -c 2000 "$a") <(head -c 2000 "$b") | head -n 6 || true
      status=1
    fi
  done
done
exit $status
