package data

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// State is the position of an Iterator: everything needed, with the same Set and configuration,
// to continue bit-identically. It is small and JSON-serialisable, meant to be stored in a search
// checkpoint.
type State struct {
	// Seed drives the per-epoch permutations and the augmentation draws.
	Seed uint64 `json:"seed"`
	// Epoch is the current epoch (0-based).
	Epoch int64 `json:"epoch"`
	// Position is the index, in the current epoch's order, of the next image to yield.
	Position int `json:"position"`
	// Batches counts the batches yielded so far (all epochs).
	Batches int64 `json:"batches"`
	// Size is the number of images of the Set; restoring onto a Set of another size fails.
	Size int `json:"size"`
}

// Batch is one batch of images and labels.
type Batch struct {
	// Images is a float32 tensor of shape [B, Height, Width, Channels] (NHWC).
	Images *tensors.Tensor
	// Labels is an int32 tensor of shape [B, 1], the shape GoMLX's sparse cross-entropy losses take.
	Labels *tensors.Tensor
	// Indices are the indices in the Set of the B images.
	Indices []int
}

// Iterator yields batches of a Set. Build one with NewIterator(set, batchSize)…Done().
//
// Order: with shuffling (the default) epoch e visits the images in the order
// Permutation(n, Mix(seed, e)); without it in index order. The image at position i of epoch e is
// transformed with the random draws of seed Mix(Mix(seed, e), i) (see Transform). Both depend only
// on (seed, epoch, position), so State is enough to resume exactly.
//
// Finite mode (the default): each epoch yields ⌈n/B⌉ batches (⌊n/B⌋ with DropLast), the last
// possibly smaller, then Next returns io.EOF once and the following call starts the next epoch.
// Infinite mode: Next never returns io.EOF; batches are always full and run on from one epoch's
// permutation into the next, so every image is seen equally often — the stream the architecture
// step draws from.
//
// Iterator also implements GoMLX's train.Dataset (Name, Yield, Reset), so it plugs into train.Loop.
// It is not safe for concurrent use.
type Iterator struct {
	set      *Set
	batch    int
	shuffle  bool
	infinite bool
	dropLast bool
	workers  int
	tf       Transform
	k        *compiled
	st       State
	perm     []int
	permOf   int64 // epoch that perm belongs to; -1 if none
	buf      []float32
	err      error
}

// IteratorBuilder configures an Iterator; see NewIterator.
type IteratorBuilder struct{ it *Iterator }

// NewIterator starts the configuration of an iterator over set yielding batches of batchSize
// images: shuffled per epoch with seed 0, finite, no augmentation (scaling to 0–1 only).
func NewIterator(set *Set, batchSize int) *IteratorBuilder {
	it := &Iterator{set: set, batch: batchSize, shuffle: true, workers: runtime.GOMAXPROCS(0), permOf: -1}
	if set == nil {
		it.err = fmt.Errorf("data: iterator over a nil Set")
	} else if batchSize < 1 {
		it.err = fmt.Errorf("data: %s: batch size %d, want ≥ 1", set.Name, batchSize)
	}
	return &IteratorBuilder{it}
}

// Seed sets the seed of the permutations and augmentation draws.
func (b *IteratorBuilder) Seed(seed uint64) *IteratorBuilder { b.it.st.Seed = seed; return b }

// Shuffle turns per-epoch shuffling on (default) or off (index order, as for evaluation).
func (b *IteratorBuilder) Shuffle(on bool) *IteratorBuilder { b.it.shuffle = on; return b }

// Infinite makes the iterator endless (see Iterator).
func (b *IteratorBuilder) Infinite() *IteratorBuilder { b.it.infinite = true; return b }

// DropLast drops the last, smaller batch of each epoch in finite mode.
func (b *IteratorBuilder) DropLast() *IteratorBuilder { b.it.dropLast = true; return b }

// Transform sets the per-image transform (augmentation and normalisation).
func (b *IteratorBuilder) Transform(t Transform) *IteratorBuilder { b.it.tf = t; return b }

// Workers sets how many goroutines build a batch (default GOMAXPROCS). The output does not
// depend on it.
func (b *IteratorBuilder) Workers(n int) *IteratorBuilder { b.it.workers = max(n, 1); return b }

// Done checks the configuration and returns the iterator.
func (b *IteratorBuilder) Done() (*Iterator, error) {
	it := b.it
	if it.err != nil {
		return nil, it.err
	}
	if it.set.Len() == 0 {
		return nil, fmt.Errorf("data: %s: empty set", it.set.Name)
	}
	if it.infinite && it.batch > it.set.Len() {
		return nil, fmt.Errorf("data: %s: infinite batches of %d from %d images", it.set.Name, it.batch, it.set.Len())
	}
	k, err := it.tf.compile(it.set.Height, it.set.Width, it.set.Channels)
	if err != nil {
		return nil, fmt.Errorf("%w (set %s)", err, it.set.Name)
	}
	it.k = k
	it.st.Size = it.set.Len()
	return it, nil
}

// State returns the current position.
func (it *Iterator) State() State { return it.st }

// SetState moves the iterator to a position saved by State (of an iterator over the same Set with
// the same configuration).
func (it *Iterator) SetState(s State) error {
	if s.Size != it.set.Len() {
		return fmt.Errorf("data: %s: state is for a set of %d images, this one has %d", it.set.Name, s.Size, it.set.Len())
	}
	if s.Position < 0 || s.Position > s.Size || s.Epoch < 0 || s.Batches < 0 {
		return fmt.Errorf("data: %s: invalid iterator state %+v", it.set.Name, s)
	}
	it.st = s
	it.permOf = -1
	return nil
}

// Set returns the Set iterated over.
func (it *Iterator) Set() *Set { return it.set }

// BatchSize returns the (full) batch size.
func (it *Iterator) BatchSize() int { return it.batch }

// order returns the dataset index at position i of the current epoch.
func (it *Iterator) order(i int) int {
	if !it.shuffle {
		return i
	}
	if it.permOf != it.st.Epoch {
		it.perm = Permutation(it.set.Len(), Mix(it.st.Seed, uint64(it.st.Epoch)))
		it.permOf = it.st.Epoch
	}
	return it.perm[i]
}

type item struct {
	index int
	seed  uint64
}

// Next returns the next batch, or io.EOF at the end of an epoch in finite mode.
func (it *Iterator) Next() (*Batch, error) {
	n := it.set.Len()
	var items []item
	if !it.infinite {
		rest := n - it.st.Position
		if rest <= 0 || it.dropLast && rest < it.batch {
			it.st.Epoch++
			it.st.Position = 0
			return nil, io.EOF
		}
		items = make([]item, min(it.batch, rest))
	} else {
		items = make([]item, it.batch)
	}
	for i := range items {
		if it.st.Position == n { // infinite mode runs on into the next epoch
			it.st.Epoch++
			it.st.Position = 0
		}
		items[i] = item{it.order(it.st.Position), Mix(Mix(it.st.Seed, uint64(it.st.Epoch)), uint64(it.st.Position))}
		it.st.Position++
	}
	if it.infinite && it.st.Position == n {
		it.st.Epoch++
		it.st.Position = 0
	}
	it.st.Batches++
	return it.build(items), nil
}

// build gathers and transforms the images of items into a batch.
func (it *Iterator) build(items []item) *Batch {
	s := it.set
	sz := s.ImageSize()
	bsz := len(items)
	if cap(it.buf) < bsz*sz {
		it.buf = make([]float32, bsz*sz)
	}
	buf := it.buf[:bsz*sz]
	labels := make([]int32, bsz)
	indices := make([]int, bsz)
	for i, x := range items {
		labels[i] = s.Labels[x.index]
		indices[i] = x.index
	}
	work := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x := items[i]
			it.k.apply(buf[i*sz:(i+1)*sz], s.Image(x.index), it.tf.draw(x.seed, s.Height, s.Width))
		}
	}
	w := min(it.workers, bsz/8+1)
	if w <= 1 {
		work(0, bsz)
	} else {
		var wg sync.WaitGroup
		for k := 0; k < w; k++ {
			lo, hi := k*bsz/w, (k+1)*bsz/w
			wg.Add(1)
			go func() { defer wg.Done(); work(lo, hi) }()
		}
		wg.Wait()
	}
	return &Batch{
		Images:  tensors.FromFlatDataAndDimensions(buf, bsz, s.Height, s.Width, s.Channels),
		Labels:  tensors.FromFlatDataAndDimensions(labels, bsz, 1),
		Indices: indices,
	}
}

// Name implements train.Dataset.
func (it *Iterator) Name() string { return it.set.Name }

// Yield implements train.Dataset: inputs are [Images], labels [Labels].
func (it *Iterator) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	b, err := it.Next()
	if err != nil {
		return nil, nil, nil, err
	}
	return nil, []*tensors.Tensor{b.Images}, []*tensors.Tensor{b.Labels}, nil
}

// Reset implements train.Dataset: if the current epoch has started, move to the start of the next
// one (an epoch that ended with io.EOF has already moved on, so Reset after io.EOF does nothing).
func (it *Iterator) Reset() {
	if it.st.Position > 0 {
		it.st.Epoch++
		it.st.Position = 0
	}
}
