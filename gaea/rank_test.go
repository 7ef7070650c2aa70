package gaea

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// heldOut draws n batches of the architecture block from a fresh MemoryBatches over stripes.
func heldOut(t *testing.T, n int, seed int64) (xs, ys []*tensors.Tensor) {
	t.Helper()
	b := tinyBatches(t, seed)
	for i := 0; i < n; i++ {
		x, y, err := b.Next(ArchBlock)
		if err != nil {
			t.Fatal(err)
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	return xs, ys
}

// parse parses genotype strings of the search's space.
func parse(t *testing.T, s *Search, strs ...string) []spaces.Genotype {
	t.Helper()
	var gs []spaces.Genotype
	for _, str := range strs {
		g, err := s.Space().ParseGenotype(str)
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	return gs
}

// TestEvaluateGenotypesIsTheDiscreteNetwork: a genotype's one-hot mixture of the NAS-Bench-201 supernet
// computes the genotype's own discrete network (nb201.Space.Network) carrying the supernet's weights of
// its ops: loss and accuracy agree bit for bit with that network's, evaluated in a separate context
// holding copies of the supernet's variables (its affine batch-norm scale 1 and offset 0, which the
// non-affine search ops lack, change nothing).
func TestEvaluateGenotypesIsTheDiscreteNetwork(t *testing.T) {
	space := nb201.New().Channels(4).Cells(1).Classes(2)
	be := backend.MustNew()
	s, err := NewSearch(be, conf(Config{Space: space, ArchLR: 0.5, Steps: 10, Seed: 3}), tinyBatches(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(3); err != nil {
		t.Fatal(err)
	}
	xs, ys := heldOut(t, 2, 9)
	gs := parse(t, s,
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
		"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_3x3~2|",
		"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|")
	got, err := s.EvaluateGenotypes(gs, 2, ReplayBatches(xs, ys))
	if err != nil {
		t.Fatal(err)
	}

	// The discrete networks, with copies of the supernet's variables in a context of their own.
	for i, g := range gs {
		ctx := context.New()
		for v := range s.Context().InAbsPath(context.RootScope + supernetScope).IterVariablesInScope() {
			val, err := v.Value()
			if err != nil {
				t.Fatal(err)
			}
			c, err := val.LocalClone()
			if err != nil {
				t.Fatal(err)
			}
			ctx.InAbsPath(v.Scope()).VariableWithValue(v.Name(), c)
		}
		exec, err := context.NewExec(be, ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
			ctx.SetTraining(images.Graph(), true)
			logits := space.Network(ctx.In(supernetScope).Checked(false), images, g)
			l32 := graph.Reshape(graph.ConvertDType(labels, dtypes.Int32), labels.Shape().Dimensions[0])
			loss := graph.ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(l32, -1)}, []*graph.Node{logits}))
			acc := graph.ReduceAllMean(graph.ConvertDType(graph.Equal(graph.ArgMax(logits, -1, dtypes.Int32), l32), dtypes.Float32))
			return []*graph.Node{loss, acc}
		})
		if err != nil {
			t.Fatal(err)
		}
		var loss, acc float64
		for b := range xs {
			out, err := exec.Exec(xs[b], ys[b])
			if err != nil {
				t.Fatal(err)
			}
			loss += float64(tensors.ToScalar[float32](out[0])) / float64(len(xs))
			acc += float64(tensors.ToScalar[float32](out[1])) / float64(len(xs))
		}
		want := ArchScore{Genotype: g.String(), Loss: loss, Acc: acc, Images: 2 * xs[0].Shape().Dimensions[0]}
		if got[i] != want {
			t.Errorf("%s: on the supernet %+v, as its own network with the supernet's weights %+v", g, got[i], want)
		}
	}
	if got[0].Loss == got[1].Loss || got[0].Loss == got[2].Loss {
		t.Errorf("different paths gave the same loss: %+v", got)
	}
}

// snapshot prints every variable of the search's context, of every dtype (weights, θ, optimizer
// state, batch-norm moving averages and counters, the random-number state), exactly.
func snapshot(t *testing.T, s *Search) map[string]string {
	t.Helper()
	out := map[string]string{}
	for v := range s.Context().IterVariables() {
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		out[v.Scope()+"/"+v.Name()] = fmt.Sprintf("%s %v", val.Shape(), val.Value())
	}
	return out
}

// TestEvaluateGenotypesLeavesTheSearch: evaluating genotypes changes no variable of the search (weights,
// θ, moving averages, the random state), gives the same scores when repeated, and a search that
// evaluates between its steps goes on exactly as one that does not (same history, same variables).
func TestEvaluateGenotypesLeavesTheSearch(t *testing.T) {
	for _, sampling := range []Sampling{WeightedSum, RSWS} {
		t.Run(sampling.String(), func(t *testing.T) {
			mk := func() *Search {
				s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
					Sampling: sampling, ArchLR: 0.5, Steps: 10, Seed: 5}), tinyBatches(t, 5))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Run(3); err != nil {
					t.Fatal(err)
				}
				return s
			}
			s, plain := mk(), mk()
			xs, ys := heldOut(t, 3, 7)
			gs := parse(t, s, "|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|", "|skip_connect~0|+|conv_3x3~0|conv_3x3~1|",
				"|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|")
			before := snapshot(t, s)
			first, err := s.EvaluateGenotypes(gs, 3, ReplayBatches(xs, ys))
			if err != nil {
				t.Fatal(err)
			}
			after := snapshot(t, s)
			for k := range before {
				if before[k] != after[k] {
					t.Errorf("evaluating changed %s", k)
				}
			}
			if len(before) != len(after) {
				t.Errorf("evaluating changed the number of variables: %d → %d", len(before), len(after))
			}
			again, err := s.EvaluateGenotypes(gs, 3, ReplayBatches(xs, ys))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(first, again) {
				t.Errorf("the same genotypes and batches scored differently:\n%+v\n%+v", first, again)
			}
			if first[0] != first[2] {
				t.Errorf("one genotype on the same batches scored differently: %+v, %+v", first[0], first[2])
			}
			if first[0].Images != 3*16 {
				t.Errorf("images %d, want %d", first[0].Images, 3*16)
			}
			if err := s.Run(3); err != nil {
				t.Fatal(err)
			}
			if err := plain.Run(3); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.History(), plain.History()) {
				t.Error("a search that evaluated genotypes went on differently from one that did not")
			}
			if !reflect.DeepEqual(snapshot(t, s), snapshot(t, plain)) {
				t.Error("a search that evaluated genotypes has other variables after 3 more iterations")
			}
		})
	}
}

// TestBestOfRandomOnIsEvaluateGenotypes: RS-WS's candidates are EvaluateGenotypes's scores of the same
// genotypes on the same batches, one batch sequence after the other.
func TestBestOfRandomOnIsEvaluateGenotypes(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: RSWS, Steps: 10, Seed: 8}), tinyBatches(t, 8))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(2); err != nil {
		t.Fatal(err)
	}
	const n, per = 5, 2
	xs, ys := heldOut(t, n*per, 4)
	cands, best, err := s.BestOfRandomOn(n, per, 11, ReplayBatches(xs, ys))
	if err != nil {
		t.Fatal(err)
	}
	var strs []string
	for _, c := range cands {
		strs = append(strs, c.Genotype)
	}
	scores, err := s.EvaluateGenotypes(parse(t, s, strs...), per, ReplayBatches(xs, ys))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cands {
		if sc := scores[i]; c != (RandomCandidate{Genotype: sc.Genotype, Loss: sc.Loss, Acc: sc.Acc}) {
			t.Errorf("candidate %d: BestOfRandomOn %+v, EvaluateGenotypes %+v", i, c, sc)
		}
		if c.Acc > cands[best].Acc {
			t.Errorf("candidate %d (acc %g) beats the best %d (acc %g)", i, c.Acc, best, cands[best].Acc)
		}
	}
}

// TestEvaluateGenotypesErrors: bad input is refused with an error that names the problem.
func TestEvaluateGenotypesErrors(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2), Steps: 10, Seed: 1}), tinyBatches(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := heldOut(t, 1, 2)
	good := parse(t, s, "|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|")
	nb := nb201.MustParseArch("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	failing := func() (*tensors.Tensor, *tensors.Tensor, error) { return nil, nil, errors.New("disk on fire") }
	for _, c := range []struct {
		name      string
		genotypes []spaces.Genotype
		per       int
		next      func() (*tensors.Tensor, *tensors.Tensor, error)
		want      string
	}{
		{"no genotypes", nil, 1, ReplayBatches(xs, ys), "0 genotypes"},
		{"no batches per genotype", good, 0, ReplayBatches(xs, ys), "on 0 batches"},
		{"nil batch source", good, 1, nil, "next is nil"},
		{"nil genotype", []spaces.Genotype{nil}, 1, ReplayBatches(xs, ys), "genotype is nil"},
		{"another space's genotype", []spaces.Genotype{nb}, 1, ReplayBatches(xs, ys), "is not one of the tiny supernet's paths"},
		{"an op the space lacks", []spaces.Genotype{spaces.CellGenotype{Nodes: 3, Ops: []string{"none", "conv_3x3", "conv_3x3"}}}, 1, ReplayBatches(xs, ys), `unknown op "none"`},
		{"batch source fails", good, 1, failing, "disk on fire"},
		{"mismatched replay", good, 1, ReplayBatches(xs, nil), "1 image batches and 0 label batches"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.EvaluateGenotypes(c.genotypes, c.per, c.next)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}

	t.Run("edge weights", func(t *testing.T) {
		b, err := NewMemoryBatches(colorStripes(16, 1), colorStripes(16, 2), BiLevel, 8, 1)
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewSearch(backend.MustNew(), conf(Config{Space: darts.New().Channels(4).Layers(3).Classes(2),
			BetaLR: f64(0.5), Steps: 4, Seed: 1}), b)
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.EvaluateGenotypes([]spaces.Genotype{nb}, 1, ReplayBatches(xs, ys))
		if err == nil || !strings.Contains(err.Error(), "edge weights") {
			t.Errorf("error %v, want one about edge weights", err)
		}
	})
}
