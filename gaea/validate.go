package gaea

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Validation is one evaluation of the supernet on held-out images (Search.Validate). The history keeps
// it on the record of the block step after which it ran (Record.Valid).
type Validation struct {
	Epoch    int     `json:"epoch"`    // the epoch (1-based) at whose end it ran
	Loss     float64 `json:"loss"`     // mean cross-entropy over the images
	Acc      float64 `json:"acc"`      // fraction of the images classified correctly
	Images   int     `json:"images"`   // images evaluated
	Genotype string  `json:"genotype"` // the genotype the search would return at that point
	Seconds  float64 `json:"-"`        // wall time of the evaluation: for the progress line, not in the history (which a resumed run must reproduce byte for byte)
}

// Validate evaluates the supernet, as it stands, on the batches next returns until it returns io.EOF (one
// pass over a held-out split; the last batch may be smaller), as liamcli/gaea_release's infer
// (cnn/train_utils.py lines 449–486, called by cnn/train_search.py at the end of every epoch of a bilevel
// search): the network in inference mode (batch norm with its moving averages, model.eval()), the loss and
// accuracy averaged over the images. The mixture is the current one (θ, and β): with GDAS sampling it is
// the one-hot argmax of θ, since gaea_release's architect_egdas.py get_weights sets the model's alphas to
// their argmax before that evaluation (train_search.py lines 155–157) and the model then forwards with
// discrete=True. Random search with weight sharing has no θ to validate (an error).
//
// Nothing of the search changes (no step, no random draw, no moving average): a search validated at
// every epoch follows exactly the same trajectory as one that is not. The result is appended to the last
// record of the history (Record.Valid; an error before the first step) and returned.
func (s *Search) Validate(epoch int, next func() (images, labels *tensors.Tensor, err error)) (Validation, error) {
	if s.cfg.Sampling == RSWS {
		return Validation{}, errors.New("gaea: random search with weight sharing has no architecture to validate")
	}
	if len(s.history) == 0 {
		return Validation{}, errors.New("gaea: Validate before the first step")
	}
	start := time.Now()
	if s.validExec == nil {
		var err error
		s.validExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
			g := images.Graph()
			ctx.SetTraining(g, false)
			mix := s.mixtureWith(ctx, g, WeightedSum) // no random draw
			if s.cfg.Sampling == GDAS {
				w := mix.Weights
				onehot := graph.OneHot(graph.ArgMax(w, -1, dtypes.Int32), w.Shape().Dimensions[1], w.DType())
				mix = spaces.Mixture{Weights: onehot, OneHot: onehot, Sampled: true, Beta: mix.Beta,
					PartialChannels: mix.PartialChannels}
			}
			loss, acc := s.forwardWith(ctx, images, labels, mix)
			return []*graph.Node{loss, acc}
		})
		if err != nil {
			return Validation{}, err
		}
	}
	var lossSum, correct float64
	n := 0
	for {
		images, labels, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Validation{}, fmt.Errorf("gaea: validation batch: %w", err)
		}
		b := images.Shape().Dimensions[0]
		out, err := s.validExec.Exec(images, labels)
		if err != nil {
			return Validation{}, fmt.Errorf("gaea: validation after epoch %d: %w", epoch, err)
		}
		lossSum += trainer.Scalar(out[0]) * float64(b)
		correct += math.Round(trainer.Scalar(out[1]) * float64(b)) // the count: acc is a float32 mean of 0s and 1s
		n += b
	}
	if n == 0 {
		return Validation{}, errors.New("gaea: validation: no images")
	}
	g, err := s.Genotype()
	if err != nil {
		return Validation{}, err
	}
	v := Validation{Epoch: epoch, Loss: lossSum / float64(n), Acc: correct / float64(n), Images: n,
		Genotype: g.String(), Seconds: time.Since(start).Seconds()}
	s.history[len(s.history)-1].Valid = &v
	return v, nil
}
