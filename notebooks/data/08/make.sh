#!/usr/bin/env bash
# Makes the precomputed searches that notebook 08 compares: GAEA DARTS with its own geometry (exponentiated
# gradient) and with the notebook's Tsallis geometry (q = 1/2) on NAS-Bench-201 at CPU scale, on the first
# 1,000 CIFAR-10 training images, 2 epochs (64 iterations), single-level, η = 4, seeds 1–3: notebook 03's
# protocol for GAEA at η = 4, so that the EG searches here are those of data/03/gaea-darts-lr4-seed<N>.
# 70–170 s per search on 2 CPU cores (6 searches; 13 min in all on 2026-12-06 on a busy machine, AVX2 kernel).
#
#   GAEA_DATA=../shared/data bash notebooks/data/08/make.sh      (from the repository root)
#
# The geometry is the notebook's: the code cell that defines init_tsallis is copied out of the notebook
# into a program (inside this module, under the ignored notebooks/.out/) that registers it and runs the
# searches through experiment.Search, as `gaea search` does. Keeps result.json and history.jsonl of each
# search in notebooks/data/08/<gaea-darts|tsallis>-seed<N>/.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export GOMLX_BACKEND="${GOMLX_BACKEND:-go}" GAEA_QUIET_BACKEND=1
# The GEMM micro-kernel sets the last bits of every float32 product and the notebook re-runs 8 iterations
# live, bit for bit: pin one that every amd64 machine here has and record it (as data/03/make.sh does).
export GAEA_GEMM_KERNEL="${GAEA_GEMM_KERNEL:-avx2}"
echo "$GAEA_GEMM_KERNEL" >notebooks/data/08/gemm-kernel.txt

mkdir -p notebooks/.out
work="$(mktemp -d notebooks/.out/make08.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# The notebook's geometry cell, as a file of package main.
/usr/bin/python3 - notebooks/08-your-own-geometry.ipynb >"$work/geometry.go" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code" and "func init_tsallis()" in "".join(c["source"])]
if len(cells) != 1:
    sys.exit("make.sh: want exactly one code cell that defines init_tsallis, found %d" % len(cells))
print("package main\n")
print(cells[0])
PY
cat >"$work/main.go" <<'GO'
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/gaeanas/gaeanas/experiment"
	_ "github.com/gaeanas/gaeanas/spaces/nb201"
)

func main() {
	init_tsallis() // the notebook's registration of "tsallis" (GoNB calls it before every cell)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, seed := range []int{1, 2, 3} {
		for _, geometry := range []string{"", "tsallis"} { // "": the algorithm's own (exponentiated gradient)
			st, err := experiment.Defaults(experiment.Quick, "nb201", experiment.GAEADARTS, "cifar10")
			if err != nil {
				fail(err)
			}
			// gaea search --preset quick --dataset cifar10 --subset 1000 --epochs 2 --level single --arch-lr 4 --seed N [--geometry tsallis]
			o := experiment.Overrides{"subset": 1000, "epochs": 2, "level": "single", "arch_lr": 4.0, "seed": seed}
			name := "gaea-darts"
			if geometry != "" {
				o["geometry"], name = geometry, geometry
			}
			if err := st.Apply(o); err != nil {
				fail(err)
			}
			dir := filepath.Join(os.Args[1], fmt.Sprintf("%s-seed%d", name, seed))
			res, err := experiment.Search(ctx, st, experiment.Options{Dir: dir})
			if err != nil {
				fail(err)
			}
			fmt.Printf("%-18s %s  mean entropy %.4f  %.0f s\n", filepath.Base(dir), res.Genotype, res.Entropy, res.Seconds)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "make.sh:", err)
	os.Exit(1)
}
GO
go build -o "$work/make" "./$work"
"$work/make" "$work/runs"
for run in "$work"/runs/*; do
  keep="notebooks/data/08/$(basename "$run")"
  mkdir -p "$keep"
  cp "$run/result.json" "$run/history.jsonl" "$keep/"
done
