package experiment

import (
	"fmt"
	"html"
	"strings"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// What a search returns. A bilevel search evaluates its supernet on the held-out split at the end of
// every epoch (gaea.Search.Validate; the history keeps each evaluation on the epoch's last record), and
// the result names both the final genotype and the one of the epoch with the best supernet validation
// accuracy. Which of them is the search's answer (Result.Genotype) is the algorithm's reference's rule:
//
//   - GAEA's algorithms (liamcli/gaea_release cnn/train_search.py lines 129–196): a bilevel search keeps
//     the genotype of the epoch whose validation accuracy is the highest (strictly above every earlier
//     one: the first of equals); a single-level search evaluates only once, after the last epoch, so it
//     returns the final genotype;
//   - the NAS-Bench-201 baselines (D-X-Y/AutoDL-Projects exps/NAS-Bench-201-algos/DARTS-V1.py,
//     DARTS-V2.py, GDAS.py) record the best epoch's genotype but report the last one
//     (genotypes[total_epoch − 1]); quark0/darts and PC-DARTS print the genotype of every epoch, the last
//     being the result: the final genotype;
//   - RS-WS: the best of its random candidates after the last epoch (RANDOM-NAS.py search_find_best).
const (
	SelectFinal      = "final"
	SelectBestValid  = "best-valid"
	SelectCandidates = "rsws-candidates"
)

// validates reports whether the run evaluates its supernet after every epoch: bilevel searches with an
// architecture to evaluate (not RS-WS, whose θ is not searched).
func (r *Run) validates() bool { return r.Settings.Level == BiLevel && r.Settings.Algo != RSWS }

// validateEpoch runs the supernet's validation when iteration done ends an epoch of a validating run
// and reports whether it did.
func (r *Run) validateEpoch(done int) (bool, error) {
	if !r.validates() || done%r.StepsPerEpoch != 0 {
		return false, nil
	}
	epoch := done / r.StepsPerEpoch
	next, err := validationBatches(&r.Settings, r.Data, epoch)
	if err != nil {
		return false, err
	}
	if _, err := r.search.Validate(epoch, next); err != nil {
		return false, err
	}
	return true, nil
}

// validationBatches is one pass over the held-out split in batches of Settings.Batch, the last one
// smaller, as the references' validation loaders give it: normalised only (AutoDL-Projects
// get_nas_search_loaders: the valid loader takes the test transform), or, where the space's preset
// row "augment_valid" says so (the DARTS space: liamcli/gaea_release cnn/train_utils.py
// create_data_queues, lines 304–321, the valid queue is a copy of the training data), through the
// training transform, with augmentation draws fixed by the seed and the epoch, so a resumed run
// evaluates the same images.
func validationBatches(s *Settings, d *Data, epoch int) (func() (*tensors.Tensor, *tensors.Tensor, error), error) {
	augment, _, err := s.RunValue("augment_valid")
	if err != nil {
		return nil, err
	}
	tf, err := data.TestTransform(s.Dataset)
	if augment == true {
		tf, err = data.TrainTransform(s.Dataset, 0)
	}
	if err != nil {
		tf = data.Transform{}
	}
	seed := data.Mix(uint64(s.Seed)*2+4, uint64(epoch))
	it, err := data.NewIterator(d.Valid, s.Batch).Seed(seed).Transform(tf).Done()
	if err != nil {
		return nil, err
	}
	return func() (*tensors.Tensor, *tensors.Tensor, error) {
		b, err := it.Next()
		if err != nil {
			return nil, nil, err // io.EOF after one pass
		}
		return b.Images, b.Labels, nil
	}, nil
}

// bestValid returns the record of the epoch with the highest validation accuracy (the first of equals),
// or nil when the history holds no validation.
func bestValid(h []gaea.Record) *gaea.Record {
	var best *gaea.Record
	for i := range h {
		if v := h[i].Valid; v != nil && (best == nil || v.Acc > best.Valid.Acc) {
			best = &h[i]
		}
	}
	return best
}

// selection is the rule (SelectFinal, SelectBestValid, SelectCandidates) that gives a run's genotype,
// with its source: the preset table's run key "selection" for the space and algorithm, but always the
// final genotype for a single-level search (it validates only after its last epoch).
func selection(s *Settings) (rule, source string, err error) {
	v, src, err := s.RunValue("selection")
	if err != nil {
		return "", "", err
	}
	rule, _ = v.(string)
	if s.Level == SingleLevel && rule != SelectCandidates {
		return SelectFinal, "single level: liamcli/gaea_release cnn/train_search.py evaluates only after the last epoch (lines 160 and 186–195), so it keeps the final genotype", nil
	}
	return rule, src, nil
}

// selectGenotype fills the result's final genotype, best validation epoch and selection, and sets
// Genotype (and NB201) to the selected one. final is the final θ's genotype (or RS-WS's best candidate).
func selectGenotype(res *Result, st *Settings, hist []gaea.Record, final string) error {
	var err error
	if res.Selection, res.SelectionSource, err = selection(st); err != nil {
		return err
	}
	res.FinalGenotype, res.Genotype = final, final
	if st.Algo == RSWS {
		res.FinalGenotype = "" // θ stayed uniform: its argmax is no answer
	}
	if b := bestValid(hist); b != nil {
		res.BestValid = &BestValid{Epoch: b.Valid.Epoch, Iteration: b.Iteration, Acc: b.Valid.Acc, Loss: b.Valid.Loss,
			Genotype: b.Valid.Genotype, space: st.Space}
		if res.Selection == SelectBestValid {
			res.Genotype = b.Valid.Genotype
		}
	} else if res.Selection == SelectBestValid {
		// A run begun before the validations were recorded, resumed after its last epoch: nothing to
		// select from.
		res.Selection = SelectFinal
		res.SelectionSource = "no supernet validation in the history (a run begun before they were recorded): the final genotype; " + res.SelectionSource
	}
	d, err := st.Descriptor()
	if err != nil || d.Benchmark == nil {
		return err
	}
	lookup := func(g string) (*spaces.BenchmarkEntry, error) {
		e, err := d.Benchmark.Lookup(g)
		if err != nil {
			return nil, fmt.Errorf("%s lookup of %s: %w", d.Benchmark.Title(), g, err)
		}
		return e, nil
	}
	if res.Benchmark, err = lookup(res.Genotype); err != nil {
		return err
	}
	if res.FinalGenotype != "" {
		if res.FinalBenchmark, err = lookup(res.FinalGenotype); err != nil {
			return err
		}
	}
	if res.BestValid != nil {
		if res.BestValid.Benchmark, err = lookup(res.BestValid.Genotype); err != nil {
			return err
		}
	}
	return nil
}

// writeSelection adds to a report which genotype the search returns and why, the final and the best
// validation epoch's genotypes, and the table of the supernet's validations.
func writeSelection(b *strings.Builder, res *Result, hist []gaea.Record) {
	entry := func(e *spaces.BenchmarkEntry) string {
		if e == nil || len(e.Scores) == 0 {
			return ""
		}
		return fmt.Sprintf(" — %s %.2f%% (rank %d)", benchmarkTitle(res.Space, e.Scores[0].Dataset), e.Scores[0].Accuracy, e.Scores[0].Rank)
	}
	if res != nil && res.Selection != "" {
		fmt.Fprintf(b, "<p>Returned genotype: <b>%s</b> (%s).</p>\n", html.EscapeString(res.Selection), html.EscapeString(res.SelectionSource))
		if res.FinalGenotype != "" {
			fmt.Fprintf(b, "<p>Final genotype: <code>%s</code>%s</p>\n", html.EscapeString(res.FinalGenotype), entry(res.FinalBenchmark))
		}
		if v := res.BestValid; v != nil {
			fmt.Fprintf(b, "<p>Best supernet validation accuracy %.2f%% after epoch %d: <code>%s</code>%s</p>\n",
				100*v.Acc, v.Epoch, html.EscapeString(v.Genotype), entry(v.Benchmark))
		}
	}
	var rows []*gaea.Validation
	for _, r := range hist {
		if r.Valid != nil {
			rows = append(rows, r.Valid)
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("<h2>Supernet validation after each epoch</h2>\n<table>\n<tr><th>epoch</th><th>accuracy</th><th>loss</th><th>images</th><th>seconds</th><th>genotype</th></tr>\n")
	for _, v := range rows {
		fmt.Fprintf(b, "<tr><td>%d</td><td>%.2f%%</td><td>%.4f</td><td>%d</td><td>%.1f</td><td><code>%s</code></td></tr>\n",
			v.Epoch, 100*v.Acc, v.Loss, v.Images, v.Seconds, html.EscapeString(v.Genotype))
	}
	b.WriteString("</table>\n")
}
