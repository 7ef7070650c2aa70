package gaea

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// variableValues returns every variable of the search's context, as float64 values by path.
func variableValues(t *testing.T, s *Search) map[string][]float64 {
	t.Helper()
	out := map[string][]float64{}
	for v := range s.Context().IterVariables() {
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		var f []float64
		switch val.DType() {
		case dtypes.Float32:
			for _, x := range tensors.MustCopyFlatData[float32](val) {
				f = append(f, float64(x))
			}
		case dtypes.Float64:
			f = tensors.MustCopyFlatData[float64](val)
		default:
			continue
		}
		out[v.Scope()+"/"+v.Name()] = f
	}
	return out
}

// TestBestOfRandomOnBatchStatistics: RS-WS scores its candidates as AutoDL-Projects' RANDOM-NAS.py with
// track_running_stats off — batch norm with each batch's own statistics — and leaves the search as it
// was. With the batch norms' moving averages overwritten by random values the scores are the same (they
// are not read), every variable of the context is unchanged by the scoring, and the same seed and
// batches give the same candidates.
func TestBestOfRandomOnBatchStatistics(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: RSWS, Steps: 10, Seed: 21}), tinyBatches(t, 21))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(4); err != nil {
		t.Fatal(err)
	}
	held := tinyBatches(t, 5)
	var xs, ys []*tensors.Tensor
	for i := 0; i < 6; i++ {
		x, y, err := held.Next(ArchBlock)
		if err != nil {
			t.Fatal(err)
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	score := func() []RandomCandidate {
		i := 0
		cands, _, err := s.BestOfRandomOn(6, 1, 3, func() (*tensors.Tensor, *tensors.Tensor, error) {
			i++
			return xs[i-1], ys[i-1], nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return cands
	}
	before := variableValues(t, s)
	first := score()
	if after := variableValues(t, s); !reflect.DeepEqual(before, after) {
		for k := range before {
			if !reflect.DeepEqual(before[k], after[k]) {
				t.Errorf("scoring changed %s", k)
			}
		}
	}
	if again := score(); !reflect.DeepEqual(first, again) {
		t.Errorf("the same seed and batches scored differently:\n%v\n%v", first, again)
	}

	// Overwrite the moving averages: the scores must not move.
	rng := rand.New(rand.NewSource(1))
	changed := 0
	for v := range s.Context().InAbsPath(context.RootScope + supernetScope).IterVariablesInScope() {
		if v.Name() != "mean" && v.Name() != "variance" {
			continue
		}
		vals := make([]float32, v.Shape().Size())
		for i := range vals {
			vals[i] = float32(0.5 + rng.Float64())
		}
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(vals, v.Shape().Dimensions...)); err != nil {
			t.Fatal(err)
		}
		changed++
	}
	if changed == 0 {
		t.Fatal("no batch-norm moving averages found")
	}
	if moved := score(); !reflect.DeepEqual(first, moved) {
		t.Errorf("the scores depend on the moving averages (%d overwritten): batch statistics were not used\n%v\n%v", changed, first, moved)
	}
}
