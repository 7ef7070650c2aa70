package gaea

import (
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// pass returns a function yielding d in batches of b images (the last one smaller), then io.EOF.
func pass(d Dataset, b int) func() (*tensors.Tensor, *tensors.Tensor, error) {
	size := d.Height * d.Width * d.Channel
	i := 0
	return func() (*tensors.Tensor, *tensors.Tensor, error) {
		if i >= d.Len() {
			return nil, nil, io.EOF
		}
		n := min(b, d.Len()-i)
		x := tensors.FromFlatDataAndDimensions(append([]float32(nil), d.Images[i*size:(i+n)*size]...), n, d.Height, d.Width, d.Channel)
		y := tensors.FromFlatDataAndDimensions(append([]int32(nil), d.Labels[i:i+n]...), n)
		i += n
		return x, y, nil
	}
}

// withoutValid returns the history with the validations taken out.
func withoutValid(h []Record) []Record {
	out := make([]Record, len(h))
	for i, r := range h {
		r.Valid = nil
		out[i] = r
	}
	return out
}

// TestValidate: the supernet's per-epoch validation (gaea_release's infer) for a weighted-sum and a GDAS
// search.
//
//   - It runs in inference mode: the mean loss and accuracy over the 100 held-out images are the same
//     whatever the batch size (batch statistics would change with it), the last batch being partial;
//     repeated, it gives the same numbers (GDAS evaluates the argmax of θ, no Gumbel draw).
//   - It changes nothing: a search validated after every 3 iterations has the same history (the
//     validations aside), θ and RNG state as one that is not, bit for bit.
//   - It is kept on the last record of the history, with the genotype of that moment.
func TestValidate(t *testing.T) {
	held := stripes(100, 7)
	for _, sampling := range []Sampling{WeightedSum, GDAS} {
		t.Run(sampling.String(), func(t *testing.T) {
			mk := func() *Search {
				cfg := conf(Config{Space: tiny.New().Channels(4).Classes(2), Sampling: sampling, ArchLR: 0.5, Steps: 12, Seed: 4})
				s, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 4))
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			validated, plain := mk(), mk()
			if _, err := validated.Validate(1, pass(held, 32)); err == nil {
				t.Error("Validate before the first step: no error")
			}
			var vs []Validation
			for epoch := 1; epoch <= 3; epoch++ {
				if err := validated.Run(3); err != nil {
					t.Fatal(err)
				}
				if err := plain.Run(3); err != nil {
					t.Fatal(err)
				}
				v, err := validated.Validate(epoch, pass(held, 32))
				if err != nil {
					t.Fatal(err)
				}
				vs = append(vs, v)
				h := validated.History()
				if last := h[len(h)-1]; last.Valid == nil || *last.Valid != v {
					t.Fatalf("epoch %d: the last record holds %v, want %v", epoch, last.Valid, v)
				}
				g, err := validated.Genotype()
				if err != nil {
					t.Fatal(err)
				}
				if v.Genotype != g.String() || v.Images != held.Len() || v.Epoch != epoch || v.Acc < 0 || v.Acc > 1 || !(v.Loss > 0) {
					t.Errorf("epoch %d: %+v (genotype now %s, %d images)", epoch, v, g, held.Len())
				}
				for _, b := range []int{7, 100} {
					w, err := validated.Validate(epoch, pass(held, b))
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(w.Loss-v.Loss) > 1e-5*v.Loss || math.Abs(w.Acc-v.Acc) > 1e-9 {
						t.Errorf("epoch %d: batches of %d give loss %v acc %v, of 32 %v %v: not inference mode", epoch, b, w.Loss, w.Acc, v.Loss, v.Acc)
					}
				}
				again, err := validated.Validate(epoch, pass(held, 32))
				if err != nil {
					t.Fatal(err)
				}
				if again.Loss != v.Loss || again.Acc != v.Acc {
					t.Errorf("epoch %d: validating twice gives %v then %v", epoch, v, again)
				}
			}
			if !reflect.DeepEqual(withoutValid(validated.History()), plain.History()) {
				t.Error("the validated search's history differs from the plain one's")
			}
			rng := func(s *Search) []uint64 {
				v := s.Context().GetVariableByScopeAndName(context.RootScope, context.RNGStateVariableName)
				return tensors.MustCopyFlatData[uint64](v.MustValue())
			}
			if !reflect.DeepEqual(rng(validated), rng(plain)) {
				t.Error("validation moved the random-number generator")
			}
			t.Logf("%s: %+v", sampling, vs)
		})
	}
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2), Sampling: RSWS, Steps: 4, Seed: 1}), tinyBatches(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Validate(1, pass(held, 32)); err == nil {
		t.Error("RS-WS: Validate gave no error")
	}
}
