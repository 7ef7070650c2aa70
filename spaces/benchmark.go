package spaces

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// BenchmarkEntry is one architecture's row of a benchmark: its index, its text form and, per data set
// (in the benchmark's column order), the test accuracy in percent and the rank (1 = best).
//
// Its JSON form is one flat object, as result.json and `gaea lookup` have always written NAS-Bench-201's
// entries: {"index": …, "arch": …, "<data set>": accuracy …, "rank_<data set>": rank …}.
type BenchmarkEntry struct {
	Index  int
	Arch   string
	Scores []Score
}

// Score is an entry's accuracy (%) and rank on one data set.
type Score struct {
	Dataset  string
	Accuracy float64
	Rank     int
}

// Accuracy returns the entry's accuracy on a data set, and whether it has one.
func (e *BenchmarkEntry) Accuracy(dataset string) (float64, bool) {
	for _, s := range e.Scores {
		if s.Dataset == dataset {
			return s.Accuracy, true
		}
	}
	return 0, false
}

// Rank returns the entry's rank on a data set (0 when it has none).
func (e *BenchmarkEntry) Rank(dataset string) int {
	for _, s := range e.Scores {
		if s.Dataset == dataset {
			return s.Rank
		}
	}
	return 0
}

// MarshalJSON writes the flat form: index, arch, the accuracies, then the ranks.
func (e BenchmarkEntry) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	arch, err := json.Marshal(e.Arch)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, `{"index":%d,"arch":%s`, e.Index, arch)
	for _, s := range e.Scores {
		acc, err := json.Marshal(s.Accuracy)
		if err != nil {
			return nil, fmt.Errorf("spaces: benchmark entry %d: %s: %w", e.Index, s.Dataset, err)
		}
		fmt.Fprintf(&b, `,%s:%s`, strconv.Quote(s.Dataset), acc)
	}
	for _, s := range e.Scores {
		fmt.Fprintf(&b, `,%s:%d`, strconv.Quote("rank_"+s.Dataset), s.Rank)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the flat form, keeping the data sets in the order of their accuracies.
func (e *BenchmarkEntry) UnmarshalJSON(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("a benchmark entry is a JSON object")
	}
	*e = BenchmarkEntry{}
	ranks := map[string]int{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		switch {
		case key == "index":
			err = json.Unmarshal(v, &e.Index)
		case key == "arch":
			err = json.Unmarshal(v, &e.Arch)
		case strings.HasPrefix(key, "rank_"):
			var r int
			err = json.Unmarshal(v, &r)
			ranks[strings.TrimPrefix(key, "rank_")] = r
		default:
			var acc float64
			err = json.Unmarshal(v, &acc)
			e.Scores = append(e.Scores, Score{Dataset: key, Accuracy: acc})
		}
		if err != nil {
			return fmt.Errorf("benchmark entry key %q: %w", key, err)
		}
	}
	for i := range e.Scores {
		e.Scores[i].Rank = ranks[e.Scores[i].Dataset]
	}
	return nil
}

// WithEntries adds benchmark entries to the JSON object raw (a result file), after its keys: the
// arguments are pairs of a key (the space's name, "final_<name>") and an entry; nil entries are left out.
func WithEntries(raw []byte, pairs ...any) ([]byte, error) {
	for i := 0; i+1 < len(pairs); i += 2 {
		key, _ := pairs[i].(string)
		e, _ := pairs[i+1].(*BenchmarkEntry)
		if e == nil || key == "" {
			continue
		}
		v, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		k, _ := json.Marshal(key)
		raw = bytes.TrimSuffix(bytes.TrimSpace(raw), []byte("}"))
		if !bytes.HasSuffix(raw, []byte("{")) {
			raw = append(raw, ',')
		}
		raw = append(append(append(raw, k...), ':'), v...)
		raw = append(raw, '}')
	}
	return raw, nil
}

// EntryAt reads the benchmark entry under key of a decoded JSON object, nil when it has none.
func EntryAt(m map[string]json.RawMessage, key string) (*BenchmarkEntry, error) {
	v, ok := m[key]
	if !ok || string(v) == "null" {
		return nil, nil
	}
	var e BenchmarkEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return &e, nil
}
