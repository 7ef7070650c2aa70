package experiment

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
)

// Result is result.json of a search.
type Result struct {
	Space       string                 `json:"space"`
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
	Entropy     float64                `json:"mean_entropy"`              // mean per-edge entropy of the final θ (nats)
	Candidates  []gaea.RandomCandidate `json:"rsws_candidates,omitempty"` // RS-WS: the random architectures scored
	Settings    Settings               `json:"settings"`

	// Benchmark is the space's benchmark entry of Genotype (spaces.Descriptor.Benchmark), nil for a
	// space without one. The file keeps it under the space's name ("nb201": {…}), as it always has.
	Benchmark *spaces.BenchmarkEntry `json:"-"`

	// What the search returns (best.go): Genotype (and Benchmark) is the genotype the algorithm's
	// reference returns — Selection names the rule (final, best-valid, rsws-candidates),
	// SelectionSource its source —; FinalGenotype is the final θ's (and β's), FinalBenchmark its entry
	// (the file's "final_<space>"), BestValid the epoch of a bilevel search with the best supernet
	// validation accuracy. Result files written before these fields have none of them: their Genotype
	// is the final one (or RS-WS's best candidate).
	Selection       string                 `json:"selection,omitempty"`
	SelectionSource string                 `json:"selection_source,omitempty"`
	FinalGenotype   string                 `json:"final_genotype,omitempty"`
	FinalBenchmark  *spaces.BenchmarkEntry `json:"-"`
	BestValid       *BestValid             `json:"best_valid,omitempty"`

	// Dir is the run folder (not in the file).
	Dir string `json:"-"`
	// AlreadyFinished is set (not in the file) when Resume found the run finished.
	AlreadyFinished bool `json:"-"`
}

// BestValid is the epoch of a bilevel search whose supernet validation accuracy was the highest.
type BestValid struct {
	Epoch     int     `json:"epoch"`
	Iteration int     `json:"iteration"`
	Acc       float64 `json:"acc"`
	Loss      float64 `json:"loss"`
	Genotype  string  `json:"genotype"`
	// Benchmark is the genotype's benchmark entry, under the space's name in the file.
	Benchmark *spaces.BenchmarkEntry `json:"-"`

	space string // the key of Benchmark
}

// MarshalJSON writes the benchmark entries under the space's name, "<space>" and "final_<space>"
// (result.json's "nb201" and "final_nb201"), after the other keys.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	p := plain(r)
	if p.BestValid != nil {
		bv := *p.BestValid
		bv.space = r.Space
		p.BestValid = &bv
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return spaces.WithEntries(raw, r.Space, r.Benchmark, "final_"+r.Space, r.FinalBenchmark)
}

// MarshalJSON writes the benchmark entry under the space's name.
func (b BestValid) MarshalJSON() ([]byte, error) {
	type plain BestValid
	raw, err := json.Marshal(plain(b))
	if err != nil {
		return nil, err
	}
	return spaces.WithEntries(raw, b.space, b.Benchmark)
}

// UnmarshalJSON reads the benchmark entries back from the keys named after the space.
func (r *Result) UnmarshalJSON(raw []byte) error {
	type plain Result
	var p plain
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	*r = Result(p)
	if r.Space == "" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	var err error
	if r.Benchmark, err = spaces.EntryAt(m, r.Space); err != nil {
		return err
	}
	if r.FinalBenchmark, err = spaces.EntryAt(m, "final_"+r.Space); err != nil {
		return err
	}
	if r.BestValid != nil {
		var bv map[string]json.RawMessage
		if err := json.Unmarshal(m["best_valid"], &bv); err != nil {
			return err
		}
		r.BestValid.space = r.Space
		if r.BestValid.Benchmark, err = spaces.EntryAt(bv, r.Space); err != nil {
			return fmt.Errorf("best_valid: %w", err)
		}
	}
	return nil
}

// ReadResult reads result.json of a run folder.
func ReadResult(dir string) (*Result, error) {
	var r Result
	if err := rundir.ReadJSON(filepath.Join(dir, ResultFile), &r); err != nil {
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

// ReadHistory reads history.jsonl of a search run folder: one gaea.Record per block step.
func ReadHistory(dir string) ([]gaea.Record, error) {
	return rundir.ReadJSONLines[gaea.Record](filepath.Join(dir, HistoryFile))
}

// ReadJSONLines reads a JSON-lines file such as history.jsonl (rundir.ReadJSONLines).
func ReadJSONLines[T any](path string) ([]T, error) { return rundir.ReadJSONLines[T](path) }

// Summary is what gaea search prints of a result: the genotype, its benchmark entry, the selection and
// where the report and the result are.
func (r *Result) Summary(dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "genotype: %s\n", r.Genotype)
	if d, err := spaces.Lookup(r.Space); err == nil && d.Benchmark != nil && r.Benchmark != nil {
		fmt.Fprintf(&b, "%s — searched on %s\n", benchmarkLine(d.Benchmark, r.Benchmark), r.Dataset)
	}
	if v := r.BestValid; v != nil {
		fmt.Fprintf(&b, "selection: %s; best supernet validation %.2f%% after epoch %d; final genotype %s\n",
			r.Selection, 100*v.Acc, v.Epoch, r.FinalGenotype)
	}
	fmt.Fprintf(&b, "report: %s\nresult: %s\n", filepath.Join(dir, ReportFile), filepath.Join(dir, ResultFile))
	return b.String()
}
