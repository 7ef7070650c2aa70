package data

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

var _ train.Dataset = (*Iterator)(nil)

func mustIter(t testing.TB, b *IteratorBuilder) *Iterator {
	t.Helper()
	it, err := b.Done()
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func flat[T float32 | int32](tb testing.TB, x *tensors.Tensor) []T {
	var out []T
	tensors.MustConstFlatData(x, func(f []T) { out = slices.Clone(f) })
	return out
}

func TestIteratorEpochs(t *testing.T) {
	d := synthetic("cifar10", 103, 10, 4, 4, 3, 10)
	it := mustIter(t, NewIterator(d.Train, 10).Seed(3))
	var orders [][]int
	for epoch := 0; epoch < 3; epoch++ {
		var order []int
		sizes := []int{}
		for {
			b, err := it.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			dims := b.Images.Shape().Dimensions
			if len(dims) != 4 || dims[1] != 4 || dims[2] != 4 || dims[3] != 3 || b.Labels.Shape().Dimensions[1] != 1 {
				t.Fatalf("batch shapes %v and %v", b.Images.Shape(), b.Labels.Shape())
			}
			sizes = append(sizes, dims[0])
			labels := flat[int32](t, b.Labels)
			for k, i := range b.Indices {
				if labels[k] != d.Train.Labels[i] {
					t.Fatalf("label %d of batch is %d, image %d has %d", k, labels[k], i, d.Train.Labels[i])
				}
			}
			order = append(order, b.Indices...)
		}
		if len(sizes) != 11 || sizes[10] != 3 {
			t.Errorf("epoch %d: batch sizes %v, want ten of 10 then 3", epoch, sizes)
		}
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		for i, v := range sorted {
			if v != i {
				t.Fatalf("epoch %d does not visit every image once", epoch)
			}
		}
		orders = append(orders, order)
		if s := it.State(); s.Epoch != int64(epoch+1) || s.Position != 0 {
			t.Errorf("after epoch %d state %+v", epoch, s)
		}
	}
	if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[1], orders[2]) {
		t.Error("epochs are not reshuffled")
	}
	if want := Permutation(103, Mix(3, 1)); !slices.Equal(orders[1], want) {
		t.Error("epoch 1 order is not Permutation(n, Mix(seed, 1))")
	}
}

func TestIteratorNoShuffleDropLast(t *testing.T) {
	d := synthetic("cifar10", 25, 10, 2, 2, 3, 10)
	it := mustIter(t, NewIterator(d.Train, 10).Shuffle(false).DropLast())
	var got []int
	for {
		b, err := it.Next()
		if err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		got = append(got, b.Indices...)
	}
	if len(got) != 20 || got[0] != 0 || got[19] != 19 {
		t.Errorf("DropLast without shuffle gave %v", got)
	}
}

func TestIteratorInfinite(t *testing.T) {
	d := synthetic("cifar10", 30, 10, 2, 2, 3, 10)
	it := mustIter(t, NewIterator(d.Train, 8).Seed(1).Infinite())
	count := make([]int, 30)
	for i := 0; i < 15; i++ { // 120 images = 4 epochs exactly
		b, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Indices) != 8 {
			t.Fatalf("infinite batch of %d", len(b.Indices))
		}
		for _, k := range b.Indices {
			count[k]++
		}
	}
	for i, c := range count {
		if c != 4 {
			t.Fatalf("image %d seen %d times in 4 epochs", i, c)
		}
	}
	if s := it.State(); s.Epoch != 4 || s.Position != 0 || s.Batches != 15 {
		t.Errorf("state %+v", s)
	}
}

// A search checkpoints State (as JSON) and resumes: the batches after restoring are bit-identical.
func TestIteratorResumeBitIdentical(t *testing.T) {
	d := synthetic("cifar10", 97, 10, 8, 8, 3, 10)
	tf, _ := TrainTransform("cifar10", 16)
	for _, infinite := range []bool{false, true} {
		build := func(workers int) *Iterator {
			b := NewIterator(d.Train, 12).Seed(77).Transform(tf).Workers(workers)
			if infinite {
				b.Infinite()
			}
			return mustIter(t, b)
		}
		a := build(2)
		for i := 0; i < 13; i++ { // into the second epoch
			if _, err := a.Next(); err != nil && err != io.EOF {
				t.Fatal(err)
			}
		}
		saved, err := json.Marshal(a.State())
		if err != nil {
			t.Fatal(err)
		}
		var st State
		if err := json.Unmarshal(saved, &st); err != nil {
			t.Fatal(err)
		}
		b := build(1) // another worker count: same bits
		if err := b.SetState(st); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			x, errA := a.Next()
			y, errB := b.Next()
			if !errors.Is(errA, errB) && errA != errB {
				t.Fatalf("step %d: errors %v vs %v", i, errA, errB)
			}
			if errA != nil {
				continue
			}
			if !slices.Equal(x.Indices, y.Indices) || !slices.Equal(flat[float32](t, x.Images), flat[float32](t, y.Images)) {
				t.Fatalf("infinite=%v step %d after restore differs", infinite, i)
			}
		}
		if a.State() != b.State() {
			t.Errorf("states diverge: %+v vs %+v", a.State(), b.State())
		}
	}
}

func TestIteratorAugmentsDifferentlyPerEpoch(t *testing.T) {
	d := synthetic("cifar10", 4, 1, 8, 8, 3, 2)
	tf := Transform{CropPad: 2, Flip: true}
	it := mustIter(t, NewIterator(d.Train, 4).Shuffle(false).Transform(tf))
	b0, _ := it.Next()
	it.Next() // EOF
	b1, _ := it.Next()
	if slices.Equal(flat[float32](t, b0.Images), flat[float32](t, b1.Images)) {
		t.Error("same augmentation in two epochs")
	}
}

func TestIteratorStateErrorsAndReset(t *testing.T) {
	d := synthetic("cifar10", 10, 1, 2, 2, 3, 2)
	it := mustIter(t, NewIterator(d.Train, 3))
	if err := it.SetState(State{Size: 11}); err == nil {
		t.Error("state of another set size accepted")
	}
	if err := it.SetState(State{Size: 10, Position: 11}); err == nil {
		t.Error("position past the end accepted")
	}
	_, _, _, err := it.Yield()
	if err != nil {
		t.Fatal(err)
	}
	it.Reset()
	if s := it.State(); s.Epoch != 1 || s.Position != 0 {
		t.Errorf("Reset mid-epoch gives %+v", s)
	}
	it.Reset()
	if s := it.State(); s.Epoch != 1 {
		t.Errorf("Reset at an epoch start moved to %+v", s)
	}
	if it.Name() != "cifar10/train" {
		t.Error(it.Name())
	}
	for _, b := range []*IteratorBuilder{
		NewIterator(nil, 1), NewIterator(d.Train, 0), NewIterator(d.Train, 11).Infinite(),
		NewIterator(d.Train, 2).Transform(Transform{Mean: []float32{1}, Std: []float32{1}}),
		NewIterator(&Set{Name: "empty", Height: 1, Width: 1, Channels: 1}, 1),
	} {
		if _, err := b.Done(); err == nil {
			t.Errorf("bad configuration %+v accepted", b.it)
		}
	}
}
