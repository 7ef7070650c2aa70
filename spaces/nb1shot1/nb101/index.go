package nb101

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// Entry is what the dataset holds for one module at one training budget: its parameter count and, per
// training run (repeat), the accuracies and training time at the end of training (evaluation_data[2]).
type Entry struct {
	Hash    Hash
	Params  int32
	Repeats int // runs recorded, ≤ NumRepeats (3 in the dataset)

	TestAccuracy       [NumRepeats]float64
	ValidationAccuracy [NumRepeats]float64
	TrainingTime       [NumRepeats]float64
}

// MeanTestAccuracy is the mean test accuracy over the runs.
func (e Entry) MeanTestAccuracy() float64 { return mean(e.TestAccuracy[:e.Repeats]) }

// MeanValidationAccuracy is the mean validation accuracy over the runs.
func (e Entry) MeanValidationAccuracy() float64 { return mean(e.ValidationAccuracy[:e.Repeats]) }

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Index is a compact table of the dataset's entries at one training budget, sorted by hash, for
// lookups without reading the 0.5 GB dataset again. It records the size and modification time of the
// dataset file it was built from and a tag naming the subset it keeps, so that a stale index is noticed.
type Index struct {
	Epochs        int
	Tag           string
	SourceSize    int64
	SourceModTime int64 // Unix nanoseconds
	entries       []Entry
}

// Len is the number of modules in the index.
func (ix *Index) Len() int { return len(ix.entries) }

// Lookup returns the entry of module h.
func (ix *Index) Lookup(h Hash) (Entry, bool) {
	i, ok := slices.BinarySearchFunc(ix.entries, h, func(e Entry, h Hash) int { return bytes.Compare(e.Hash[:], h[:]) })
	if !ok {
		return Entry{}, false
	}
	return ix.entries[i], true
}

// BuildOptions configures Build.
type BuildOptions struct {
	// Epochs is the training budget to keep (4, 12, 36 or 108 in nasbench_full.tfrecord; only 108 in
	// nasbench_only108.tfrecord). 0 means 108.
	Epochs int
	// Keep selects the modules to index; nil keeps all.
	Keep func(Hash) bool
	// Tag names the selection (stored in the index and compared by Open).
	Tag string
	// Progress, if set, is called with the bytes read and the file size as the build goes (about every
	// 1% and at the end).
	Progress func(done, total int64)
}

// Build reads the dataset file at path (TFRecord framing, every CRC checked) and indexes the records
// of the chosen budget whose module Keep selects.
func Build(path string, opt BuildOptions) (*Index, error) {
	if opt.Epochs == 0 {
		opt.Epochs = 108
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nb101: dataset: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("nb101: dataset: %w", err)
	}
	ix := &Index{Epochs: opt.Epochs, Tag: opt.Tag, SourceSize: st.Size(), SourceModTime: st.ModTime().UnixNano()}
	byHash := map[Hash]int{}
	r := NewReader(f)
	step := max(st.Size()/100, 1)
	next := step
	for {
		data, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("nb101: dataset %s: %w", path, err)
		}
		if opt.Progress != nil && r.Offset() >= next {
			opt.Progress(r.Offset(), st.Size())
			next = r.Offset() + step
		}
		if h, ok := peekHash(data); ok && opt.Keep != nil && !opt.Keep(h) {
			continue
		}
		rec, err := ParseRecord(data)
		if err != nil {
			return nil, fmt.Errorf("%w (dataset %s, record ending at byte %d)", err, path, r.Offset())
		}
		if rec.Epochs != opt.Epochs || (opt.Keep != nil && !opt.Keep(rec.Hash)) {
			continue
		}
		final, err := rec.Final()
		if err != nil {
			return nil, fmt.Errorf("%w (dataset %s)", err, path)
		}
		i, seen := byHash[rec.Hash]
		if !seen {
			i = len(ix.entries)
			byHash[rec.Hash] = i
			ix.entries = append(ix.entries, Entry{Hash: rec.Hash, Params: rec.Metrics.TrainableParameters})
		}
		e := &ix.entries[i]
		if e.Repeats == NumRepeats {
			return nil, fmt.Errorf("nb101: dataset %s: module %s has more than %d runs at %d epochs", path, rec.Hash, NumRepeats, opt.Epochs)
		}
		e.TestAccuracy[e.Repeats] = final.TestAccuracy
		e.ValidationAccuracy[e.Repeats] = final.ValidationAccuracy
		e.TrainingTime[e.Repeats] = final.TrainingTime
		e.Repeats++
	}
	if opt.Progress != nil {
		opt.Progress(r.Offset(), st.Size())
	}
	slices.SortFunc(ix.entries, func(a, b Entry) int { return bytes.Compare(a.Hash[:], b.Hash[:]) })
	return ix, nil
}

// peekHash reads the module hash at the start of a record, `["<32 hex digits>",`, without decoding the
// rest; ok is false when the record does not start that way (ParseRecord then reports the problem).
func peekHash(data []byte) (Hash, bool) {
	const n = 2 + 32 + 1
	if len(data) < n+1 || data[0] != '[' || data[1] != '"' || data[n-1] != '"' {
		return Hash{}, false
	}
	h, err := ParseHash(string(data[2 : n-1]))
	return h, err == nil
}

// The index file: magic, version, header fields, the entries, and a CRC-32C of everything before it.
const (
	indexMagic   = "GAEA-NB101-INDEX"
	indexVersion = 1
	entrySize    = len(Hash{}) + 4 + 4 + 3*NumRepeats*8
)

// WriteFile writes the index to path atomically (a temporary file in the same folder, then a rename),
// so an interrupted write never leaves a partial index behind.
func (ix *Index) WriteFile(path string) error {
	var b bytes.Buffer
	b.WriteString(indexMagic)
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, indexVersion))
	b.Write(le.AppendUint32(nil, uint32(ix.Epochs)))
	b.Write(le.AppendUint64(nil, uint64(ix.SourceSize)))
	b.Write(le.AppendUint64(nil, uint64(ix.SourceModTime)))
	b.Write(le.AppendUint32(nil, uint32(len(ix.Tag))))
	b.WriteString(ix.Tag)
	b.Write(le.AppendUint32(nil, uint32(len(ix.entries))))
	for _, e := range ix.entries {
		b.Write(e.Hash[:])
		b.Write(le.AppendUint32(nil, uint32(e.Params)))
		b.Write(le.AppendUint32(nil, uint32(e.Repeats)))
		for _, arr := range [][NumRepeats]float64{e.TestAccuracy, e.ValidationAccuracy, e.TrainingTime} {
			for _, v := range arr {
				b.Write(le.AppendUint64(nil, math.Float64bits(v)))
			}
		}
	}
	b.Write(le.AppendUint32(nil, crc32.Checksum(b.Bytes(), castagnoli)))

	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("nb101: write index: %w", err)
	}
	_, err = tmp.Write(b.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("nb101: write index %s: %w", path, err)
	}
	return nil
}

// ErrNotIndex is wrapped by ReadIndex's errors for a file that is not an intact index.
var ErrNotIndex = errors.New("not an intact index file")

// ReadIndex reads an index written by WriteFile, checking its checksum and order.
func ReadIndex(path string) (*Index, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nb101: read index: %w", err)
	}
	bad := func(what string) error {
		return fmt.Errorf("nb101: index %s: %w (%s); delete it to rebuild", path, ErrNotIndex, what)
	}
	if len(b) < len(indexMagic)+4 || string(b[:len(indexMagic)]) != indexMagic {
		return nil, bad("wrong magic")
	}
	if crc32.Checksum(b[:len(b)-4], castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, bad("checksum mismatch")
	}
	b = b[len(indexMagic) : len(b)-4]
	le := binary.LittleEndian
	take := func(n int) []byte {
		if len(b) < n {
			return nil
		}
		v := b[:n]
		b = b[n:]
		return v
	}
	u32 := func() (uint32, bool) {
		v := take(4)
		if v == nil {
			return 0, false
		}
		return le.Uint32(v), true
	}
	u64 := func() (uint64, bool) {
		v := take(8)
		if v == nil {
			return 0, false
		}
		return le.Uint64(v), true
	}
	version, ok1 := u32()
	if !ok1 || version != indexVersion {
		return nil, bad(fmt.Sprintf("version %d, want %d", version, indexVersion))
	}
	ix := &Index{}
	epochs, ok2 := u32()
	size, ok3 := u64()
	mod, ok4 := u64()
	tagLen, ok5 := u32()
	if !(ok2 && ok3 && ok4 && ok5) || int(tagLen) > len(b) {
		return nil, bad("truncated header")
	}
	ix.Epochs, ix.SourceSize, ix.SourceModTime = int(epochs), int64(size), int64(mod)
	ix.Tag = string(take(int(tagLen)))
	count, ok := u32()
	if !ok || len(b) != int(count)*entrySize {
		return nil, bad(fmt.Sprintf("%d bytes of entries for %d entries", len(b), count))
	}
	ix.entries = make([]Entry, count)
	for i := range ix.entries {
		e := &ix.entries[i]
		copy(e.Hash[:], take(len(e.Hash)))
		p, _ := u32()
		r, _ := u32()
		e.Params, e.Repeats = int32(p), int(r)
		if e.Repeats < 1 || e.Repeats > NumRepeats {
			return nil, bad(fmt.Sprintf("entry %d has %d repeats", i, e.Repeats))
		}
		for _, arr := range []*[NumRepeats]float64{&e.TestAccuracy, &e.ValidationAccuracy, &e.TrainingTime} {
			for k := range arr {
				v, _ := u64()
				arr[k] = math.Float64frombits(v)
			}
		}
		if i > 0 && bytes.Compare(ix.entries[i-1].Hash[:], e.Hash[:]) >= 0 {
			return nil, bad("entries out of order")
		}
	}
	return ix, nil
}

// Open returns the index of the dataset at path stored at indexPath, building it (and writing it
// there) when indexPath is missing, unreadable or stale: built from a file of another size or
// modification time, another budget or another Tag. built tells whether it was built now.
func Open(path, indexPath string, opt BuildOptions) (ix *Index, built bool, err error) {
	if opt.Epochs == 0 {
		opt.Epochs = 108
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("nb101: dataset: %w", err)
	}
	if ix, err := ReadIndex(indexPath); err == nil && ix.SourceSize == st.Size() &&
		ix.SourceModTime == st.ModTime().UnixNano() && ix.Epochs == opt.Epochs && ix.Tag == opt.Tag {
		return ix, false, nil
	}
	ix, err = Build(path, opt)
	if err != nil {
		return nil, false, err
	}
	if err := ix.WriteFile(indexPath); err != nil {
		return nil, false, err
	}
	return ix, true, nil
}
