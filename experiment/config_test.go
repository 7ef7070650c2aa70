package experiment

import (
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
)

// The algorithm → gaea.Config mapping of the paper presets.
func TestConfigOfEveryAlgorithm(t *testing.T) {
	for _, c := range []struct {
		space    string
		algo     Algo
		geometry string
		sampling gaea.Sampling
		beta     bool
		pc       int
	}{
		{"nb201", GAEADARTS, "entropic", gaea.WeightedSum, false, 0},
		{"nb201", DARTSV1, "softmax", gaea.WeightedSum, false, 0},
		{"nb201", EuclidDARTS, "euclidean", gaea.WeightedSum, false, 0},
		{"nb201", GAEAGDAS, "entropic", gaea.GDAS, false, 0},
		{"nb201", GDAS, "softmax", gaea.GDAS, false, 0},
		{"nb201", RSWS, "entropic", gaea.RSWS, false, 0},
		{"darts", GAEAPCDARTS, "entropic", gaea.WeightedSum, true, 4},
		{"darts", PCDARTS, "softmax", gaea.WeightedSum, true, 4},
		{"darts", DARTSV1, "softmax", gaea.WeightedSum, false, 0},
	} {
		st, err := Defaults(Paper, c.space, c.algo, "")
		if err != nil {
			t.Fatal(err)
		}
		space, err := st.BuildSpace(10)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := st.Config(space, 391)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Geometry.Name() != c.geometry || cfg.Sampling != c.sampling || (space.EdgeGroups() != nil) != c.beta || cfg.PartialChannels != c.pc {
			t.Errorf("%s/%s: geometry %s sampling %q β %v K %d", c.space, c.algo, cfg.Geometry.Name(), cfg.Sampling, space.EdgeGroups() != nil, cfg.PartialChannels)
		}
		if cfg.Steps != st.ScheduleEpochs*391 || cfg.StepsPerEpoch != 391 || cfg.WarmupSteps != st.WarmupEpochs*391 || cfg.Nesterov != st.Nesterov || cfg.WeightsFirst != st.WeightsFirst {
			t.Errorf("%s/%s: schedule %+v", c.space, c.algo, cfg)
		}
		if want := map[bool]int{true: 5, false: 4}[st.WithNone]; c.space == "nb201" && len(space.Ops()) != want {
			t.Errorf("%s/%s: %d ops, want %d", c.space, c.algo, len(space.Ops()), want)
		}
	}
	// An explicit zero reaches gaea as zero (gaea.Config's literal zero), not as gaea's default.
	st, _ := Defaults(Paper, "darts", GAEAPCDARTS, "")
	space, _ := st.BuildSpace(10)
	if cfg, _ := st.Config(space, 10); cfg.WeightLRMin != 0 {
		t.Errorf("lr_min 0 maps to %v, want 0", cfg.WeightLRMin)
	}
}
