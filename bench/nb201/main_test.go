package main

import (
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// small is the reduced size the tests run each config at: 4 images of 8×8, C=4 and at most 2 cells per
// stage (NB201), or C=8 (so that the K=4 partial channels keep 2) and 3 layers (DARTS).
func small(c benchConfig) benchConfig {
	o := sizes{Batch: 4, Size: 8, Channels: 4, Cells: min(c.Cells, 2)}
	if c.Space == "darts" {
		o.Channels, o.Cells = 8, 3
	}
	return c.with(o)
}

// graphParams counts the supernet weights of a config by building its supernet graph (no execution),
// as the search builds it: the settings' space, under "supernet", with the settings' partial channels
// and β for spaces with edge groups.
func graphParams(t *testing.T, c benchConfig) int {
	t.Helper()
	st, err := c.settings()
	if err != nil {
		t.Fatal(err)
	}
	space, err := st.BuildSpace(numClasses)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	g := graph.NewGraph(backend.MustNew(), "params")
	defer g.Finalize()
	x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 2, c.Size, c.Size, 3))
	rows, cols := len(space.Edges()), len(space.Ops())
	mix := spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtypes.Float32, rows, cols)), PartialChannels: st.PartialChannels}
	if space.EdgeGroups() != nil {
		mix.Beta = graph.Zeros(g, shapes.Make(dtypes.Float32, rows))
	}
	ctx.SetTraining(g, true)
	space.Supernet(ctx.In("supernet").Checked(false), x, mix)
	return supernetParams(ctx)
}

// TestOneIteration builds every config at a reduced size and runs one search iteration (~2 s in all on
// 2 cores, pure-Go backend).
func TestOneIteration(t *testing.T) {
	be := backend.MustNew()
	for _, c := range allConfigs {
		c := small(c)
		t.Run(c.Name, func(t *testing.T) {
			r, err := runConfig(be, c, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(line(r))
			if want := graphParams(t, c); r.Params != want || want == 0 {
				t.Errorf("the search has %d supernet weights, the supernet graph %d", r.Params, want)
			}
			if math.IsNaN(r.ArchLoss+r.WeightLoss) || r.ArchLoss <= 0 || r.WeightLoss <= 0 || len(r.IterMs) != 1 {
				t.Errorf("bad result: losses %v %v, %d timings", r.ArchLoss, r.WeightLoss, len(r.IterMs))
			}
			if r.GFLOPs <= 0 || r.GEMMPeakGFLOPS <= 0 || r.PeakFraction <= 0 {
				t.Errorf("no FLOP count on the pure-Go backend: %v GFLOP, peak %v GFLOP/s", r.GFLOPs, r.GEMMPeakGFLOPS)
			}
		})
	}
}

// TestParamsMatchPyTorch checks that torch_nb201.py makes as many parameters as our supernet has, for
// every config at its benchmark size, and with GAEA_TEST_LONG at the tests' reduced size too.
func TestParamsMatchPyTorch(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		t.Skip("nb201: /usr/bin/python3 cannot import torch (apt-get install python3-torch)")
	}
	torchParams := func(args ...string) map[string]int {
		out, err := exec.Command(python, append([]string{"torch_nb201.py", "--params-only"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("torch_nb201.py --params-only %v: %v\n%s", args, err, out)
		}
		m := map[string]int{}
		for l := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
			name, n, _ := strings.Cut(l, " ")
			if m[name], err = strconv.Atoi(n); err != nil {
				t.Fatalf("torch_nb201.py printed %q", l)
			}
		}
		return m
	}
	full := torchParams()
	for _, c := range allConfigs {
		type sized struct {
			c     benchConfig
			torch int
		}
		sizes := []sized{{c, full[c.Name]}}
		if os.Getenv("GAEA_TEST_LONG") != "" { // .ci/run: the tests' reduced sizes too (a python start each)
			s := small(c)
			reduced := torchParams("--configs", c.Name, "--channels", strconv.Itoa(s.Channels), "--cells", strconv.Itoa(s.Cells))
			sizes = append(sizes, sized{s, reduced[c.Name]})
		}
		for _, tc := range sizes {
			ours := graphParams(t, tc.c)
			t.Logf("%s C=%d N=%d: ours %d, PyTorch %d", tc.c.Name, tc.c.Channels, tc.c.Cells, ours, tc.torch)
			if ours != tc.torch {
				t.Errorf("%s C=%d N=%d: %d supernet weights here, %d in torch_nb201.py", tc.c.Name, tc.c.Channels, tc.c.Cells, ours, tc.torch)
			}
		}
	}
}
