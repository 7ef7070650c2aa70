package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSimplexCommand runs `gaea simplex --json` for every geometry and checks the trajectories:
// steps+1 rows on the simplex from uniform; entropic equals softmax(−η t c); all move weight to the
// cheapest choice.
func TestSimplexCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	costs := []float64{1, 2, 3}
	for _, geo := range []string{"entropic", "euclidean", "softmax", "softmax-sgd"} {
		cmd := exec.Command(bin, "simplex", "--costs", "1,2,3", "--geometry", geo, "--lr", "0.5", "--steps", "10", "--json")
		cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", geo, err)
		}
		var res simplexResult
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: %v in %q", geo, err, out)
		}
		if res.Geometry != geo || res.LR != 0.5 || len(res.Trajectory) != 11 {
			t.Fatalf("%s: %+v", geo, res)
		}
		for s, row := range res.Trajectory {
			sum := 0.0
			for _, v := range row {
				sum += v
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("%s step %d: row sums to %g", geo, s, sum)
			}
			if geo == "entropic" {
				z := 0.0
				for _, c := range costs {
					z += math.Exp(-0.5 * float64(s) * c)
				}
				for i, c := range costs {
					if want := math.Exp(-0.5*float64(s)*c) / z; math.Abs(row[i]-want) > 1e-9 {
						t.Errorf("entropic step %d: θ=%v", s, row)
					}
				}
			}
		}
		first, last := res.Trajectory[0], res.Trajectory[10]
		if math.Abs(first[0]-1.0/3) > 1e-12 || !(last[0] > first[0]) {
			t.Errorf("%s: θ_0 %v → %v, want from 1/3 upwards", geo, first[0], last[0])
		}
	}
	for _, bad := range [][]string{{"--costs", "1"}, {"--costs", "1,x"}, {"--lr", "-1"}, {"--geometry", "flat"}, {"--steps", "-2"}} {
		cmd := exec.Command(bin, append([]string{"simplex"}, bad...)...)
		cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go")
		out, err := cmd.CombinedOutput()
		if err == nil || strings.Count(strings.TrimSpace(string(out)), "\n") > 1 {
			t.Errorf("simplex %q: err %v, output %q (want a one-line error and non-zero exit)", bad, err, out)
		}
	}
}
