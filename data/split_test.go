package data

import (
	"reflect"
	"slices"
	"testing"
)

// Golden values computed with an independent Python transcription of the documented algorithms.
func TestPermutationGolden(t *testing.T) {
	for _, c := range []struct {
		n    int
		seed uint64
		want []int
	}{
		{10, 0, []int{6, 3, 2, 9, 8, 1, 4, 7, 0, 5}},
		{10, 42, []int{0, 9, 5, 8, 6, 4, 7, 2, 1, 3}},
		{1, 5, []int{0}},
		{0, 5, []int{}},
	} {
		if got := Permutation(c.n, c.seed); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Permutation(%d, %d) = %v, want %v", c.n, c.seed, got, c.want)
		}
	}
	if got := Mix(0, 0); got != 0x5cc60547776902ba {
		t.Errorf("Mix(0, 0) = %#x", got)
	}
	if got := Mix(7, 3); got != 0xc497a4db4463de12 {
		t.Errorf("Mix(7, 3) = %#x", got)
	}
	p := Permutation(50000, DefaultSplitSeed)
	a := slices.Clone(p[:25000])
	slices.Sort(a)
	if !reflect.DeepEqual(a[:8], []int{0, 1, 2, 4, 5, 8, 9, 10}) {
		t.Errorf("default CIFAR-10 search-train starts %v", a[:8])
	}
}

func TestPermutationIsPermutation(t *testing.T) {
	for _, n := range []int{2, 3, 17, 1000} {
		p := Permutation(n, uint64(n))
		q := slices.Clone(p)
		slices.Sort(q)
		for i := range q {
			if q[i] != i {
				t.Fatalf("Permutation(%d) is not a permutation: %v", n, p)
			}
		}
	}
}

// synthetic returns a data set with distinct, recognisable images: image i has every byte = i%251.
func synthetic(name string, nTrain, nTest, h, w, c, classes int) *Dataset {
	mk := func(part string, n int) *Set {
		s := &Set{Name: name + "/" + part, Height: h, Width: w, Channels: c, Images: make([]byte, n*h*w*c), Labels: make([]int32, n)}
		for i := 0; i < classes; i++ {
			s.Classes = append(s.Classes, string(rune('a'+i)))
		}
		for i := 0; i < n; i++ {
			s.Labels[i] = int32(i % classes)
			img := s.Image(i)
			for j := range img {
				img[j] = byte((i*7 + j) % 251)
			}
		}
		return s
	}
	return &Dataset{Name: name, Train: mk("train", nTrain), Test: mk("test", nTest)}
}

func TestSearchSplit(t *testing.T) {
	for _, c := range []struct {
		name                     string
		train, test              int
		wantTr, wantVal, wantTst int
		fromTest                 bool
	}{
		{"cifar10", 1000, 200, 500, 500, 200, false},
		{"cifar100", 1000, 200, 1000, 100, 100, true},
		{"imagenet16-120", 300, 60, 300, 30, 30, true},
		{"embedded", 31, 10, 15, 16, 10, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := synthetic(c.name, c.train, c.test, 2, 2, 1, 10)
			s, err := Search(d, DefaultSplitSeed)
			if err != nil {
				t.Fatal(err)
			}
			if s.Train.Len() != c.wantTr || s.Valid.Len() != c.wantVal || s.Test.Len() != c.wantTst {
				t.Fatalf("sizes %d/%d/%d, want %d/%d/%d", s.Train.Len(), s.Valid.Len(), s.Test.Len(), c.wantTr, c.wantVal, c.wantTst)
			}
			// The two halves are disjoint and cover the split set: compare first bytes, which are distinct per image.
			src, a, b := d.Train, s.Train, s.Valid
			if c.fromTest {
				src, a, b = d.Test, s.Valid, s.Test
			}
			seen := map[byte]int{}
			for _, part := range []*Set{a, b} {
				for i := 0; i < part.Len(); i++ {
					seen[part.Image(i)[0]]++
				}
			}
			if src.Len() <= 251 && len(seen) != src.Len() {
				t.Errorf("halves cover %d distinct images of %d", len(seen), src.Len())
			}
			again, _ := Search(d, DefaultSplitSeed)
			if !reflect.DeepEqual(again.Valid.Images, s.Valid.Images) || !reflect.DeepEqual(again.Valid.Labels, s.Valid.Labels) {
				t.Error("same seed, different split")
			}
			other, _ := Search(d, 1)
			if reflect.DeepEqual(other.Valid.Images, s.Valid.Images) {
				t.Error("different seed, same split")
			}
		})
	}
}

func TestSearchSplitTooSmall(t *testing.T) {
	if _, err := Search(synthetic("cifar10", 1, 1, 2, 2, 1, 1), 0); err == nil {
		t.Error("split of 1 image: no error")
	}
	if _, err := Search(nil, 0); err == nil {
		t.Error("split of nil: no error")
	}
}

func TestSubsetAndMeanStd(t *testing.T) {
	s := &Set{Name: "x", Height: 1, Width: 2, Channels: 2, Classes: []string{"a", "b"},
		Images: []byte{0, 255, 0, 255, 255, 255, 255, 255}, Labels: []int32{0, 1}}
	mean, std := s.MeanStd()
	if mean[0] != 0.5 || mean[1] != 1 || std[0] != 0.5 || std[1] != 0 {
		t.Errorf("MeanStd = %v %v", mean, std)
	}
	sub := s.Subset("y", []int{1})
	if sub.Len() != 1 || sub.Labels[0] != 1 || sub.Image(0)[0] != 255 || sub.Name != "y" {
		t.Errorf("Subset = %+v", sub)
	}
	if got := s.ClassCounts(); !reflect.DeepEqual(got, []int{1, 1}) {
		t.Errorf("ClassCounts = %v", got)
	}
}
