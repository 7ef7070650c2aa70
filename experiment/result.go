package experiment

import (
	"math"
	"path/filepath"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/nb201"
)

// Result is result.json of a search.
type Result struct {
	Space       Space                  `json:"space"`
	Algo        Algo                   `json:"algo"`
	Level       Level                  `json:"level"`
	Dataset     string                 `json:"dataset"`
	Seed        int64                  `json:"seed"`
	Backend     string                 `json:"backend"`
	Preset      Preset                 `json:"preset"`
	Epochs      int                    `json:"epochs"`
	Steps       int                    `json:"steps"`   // search iterations
	Seconds     float64                `json:"seconds"` // search time over every process that worked on the run
	Genotype    string                 `json:"genotype"`
	Ops         []string               `json:"ops"`
	Edges       []string               `json:"edges"`
	ArchWeights [][]float64            `json:"arch_weights"`
	EdgeWeights [][]float64            `json:"edge_weights,omitempty"`
	Entropy     float64                `json:"mean_entropy"` // mean per-edge entropy of the final θ (nats)
	NB201       *NB201Entry            `json:"nb201,omitempty"`
	Candidates  []gaea.RandomCandidate `json:"rsws_candidates,omitempty"` // RS-WS: the random architectures scored
	Settings    Settings               `json:"settings"`

	// What the search returns (best.go): Genotype (and NB201) is the genotype the algorithm's reference
	// returns — Selection names the rule (final, best-valid, rsws-candidates), SelectionSource its
	// source —; FinalGenotype is the final θ's (and β's), BestValid the epoch of a bilevel search with
	// the best supernet validation accuracy. Result files written before these fields have none of them:
	// their Genotype is the final one (or RS-WS's best candidate).
	Selection       string      `json:"selection,omitempty"`
	SelectionSource string      `json:"selection_source,omitempty"`
	FinalGenotype   string      `json:"final_genotype,omitempty"`
	FinalNB201      *NB201Entry `json:"final_nb201,omitempty"`
	BestValid       *BestValid  `json:"best_valid,omitempty"`

	// Dir is the run folder (not in the file).
	Dir string `json:"-"`
	// AlreadyFinished is set (not in the file) when Resume found the run finished.
	AlreadyFinished bool `json:"-"`
}

// NB201Entry is a NAS-Bench-201 architecture's benchmark entry as `gaea lookup` prints it: test
// accuracies (%) after 200 epochs, seed-averaged, and ranks among the 15,625 cells (1 = best).
type NB201Entry struct {
	Index          int     `json:"index"`
	Arch           string  `json:"arch"`
	CIFAR10        float64 `json:"cifar10"`
	CIFAR100       float64 `json:"cifar100"`
	ImageNet16     float64 `json:"imagenet16"`
	RankCIFAR10    int     `json:"rank_cifar10"`
	RankCIFAR100   int     `json:"rank_cifar100"`
	RankImageNet16 int     `json:"rank_imagenet16"`
}

// LookupNB201 returns the benchmark entry of a NAS-Bench-201 architecture string.
func LookupNB201(arch string) (*NB201Entry, error) {
	e, err := nb201.LookupString(arch)
	if err != nil {
		return nil, err
	}
	return NB201EntryOf(e), nil
}

// NB201EntryOf is the JSON form of a benchmark entry.
func NB201EntryOf(e nb201.Entry) *NB201Entry {
	return &NB201Entry{
		Index: e.Index, Arch: e.Arch.String(),
		CIFAR10: e.Accuracy[nb201.CIFAR10], CIFAR100: e.Accuracy[nb201.CIFAR100], ImageNet16: e.Accuracy[nb201.ImageNet16],
		RankCIFAR10: e.Rank[nb201.CIFAR10], RankCIFAR100: e.Rank[nb201.CIFAR100], RankImageNet16: e.Rank[nb201.ImageNet16],
	}
}

// ReadResult reads result.json of a run folder.
func ReadResult(dir string) (*Result, error) {
	var r Result
	if err := ReadJSON(filepath.Join(dir, ResultFile), &r); err != nil {
		return nil, err
	}
	r.Dir = dir
	return &r, nil
}

// MeanEntropy is the mean of the rows' entropies (nats).
func MeanEntropy(rows [][]float64) float64 {
	h := gaea.Entropies(rows)
	if len(h) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range h {
		s += v
	}
	return s / float64(len(h))
}

func (r *Run) result() (*Result, error) {
	s, st := r.search, r.Settings
	g, err := s.Genotype()
	if err != nil {
		return nil, err
	}
	var candidates []gaea.RandomCandidate
	if st.Algo == RSWS {
		// θ stayed uniform: pick the best of random architectures scored with the trained shared weights,
		// one randomly drawn held-out batch each, batch norm with the batch's statistics
		// (AutoDL-Projects search_find_best with track_running_stats off; gaea.Search.BestOfRandomOn).
		vs := st
		vs.Batch = min(st.ValidBatch, r.Data.Valid.Len())
		next, err := validBatches(&vs, r.Data, uint64(st.Seed)*2+3)
		if err != nil {
			return nil, err
		}
		cands, best, err := s.BestOfRandomOn(st.Candidates, 1, st.Seed, next)
		if err != nil {
			return nil, err
		}
		if g, err = s.Space().ParseGenotype(cands[best].Genotype); err != nil {
			return nil, err
		}
		candidates = cands
	}
	theta, err := s.Theta()
	if err != nil {
		return nil, err
	}
	beta, err := s.Beta()
	if err != nil {
		return nil, err
	}
	res := &Result{Space: st.Space, Algo: st.Algo, Level: st.Level, Dataset: st.Dataset, Seed: st.Seed,
		Backend: r.be.Name(), Preset: st.Preset, Epochs: st.Epochs, Steps: r.Iteration(),
		Seconds: math.Round(r.Seconds()*1000) / 1000, Ops: s.Space().Ops(),
		Edges: s.Space().Edges(), ArchWeights: theta, EdgeWeights: beta, Entropy: MeanEntropy(theta),
		Candidates: candidates, Settings: st, Dir: r.Dir}
	if err := selectGenotype(res, &st, s.History(), g.String()); err != nil {
		return nil, err
	}
	return res, nil
}
