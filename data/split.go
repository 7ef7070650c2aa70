package data

import (
	"fmt"
	"sort"
	"strings"
)

// DefaultSplitSeed is the seed of the standard search split (see Search).
const DefaultSplitSeed uint64 = 0

// SearchSplit is what an architecture search reads: Train for the weight step, Valid for the
// architecture step of bilevel search (single-level search draws both blocks from Train), and Test,
// which the search never sees.
type SearchSplit struct {
	Train, Valid, Test *Set
	// Seed is the seed the split was made with.
	Seed uint64
}

// Search splits a data set for architecture search, as NAS-Bench-201 and DARTS do:
//
//   - CIFAR-10 (and any data set other than those below): the training set is halved.
//     p := Permutation(len(Train), seed); Train gets the images at p[:n/2] and Valid those at
//     p[n/2:], each list sorted ascending (so both halves keep the original order); Test is the
//     whole test set. CIFAR-10 gives 25,000 / 25,000 / 10,000.
//   - CIFAR-100 and ImageNet16-N: Train is the whole training set and the test set is halved:
//     p := Permutation(len(Test), seed); Valid gets p[:n/2] and Test p[n/2:], sorted ascending.
//     CIFAR-100 gives 50,000 / 5,000 / 5,000; ImageNet16-120 151,700 / 3,000 / 3,000.
//
// Permutation is defined exactly in its doc comment, so a split is reproducible outside Go.
// Use DefaultSplitSeed for the standard split. (NB201 ships its own index files; this split has
// the same sizes and construction but not the same indices.)
func Search(d *Dataset, seed uint64) (*SearchSplit, error) {
	if d == nil || d.Train == nil || d.Test == nil {
		return nil, fmt.Errorf("data: search split of an incomplete data set")
	}
	halves := func(n int) ([]int, []int) {
		p := Permutation(n, seed)
		a, b := p[:n/2], p[n/2:]
		sort.Ints(a)
		sort.Ints(b)
		return a, b
	}
	s := &SearchSplit{Seed: seed}
	if d.Name == "cifar100" || strings.HasPrefix(d.Name, "imagenet16") {
		v, t := halves(d.Test.Len())
		s.Train = d.Train
		s.Valid = d.Test.Subset(d.Name+"/search-valid", v)
		s.Test = d.Test.Subset(d.Name+"/search-test", t)
	} else {
		a, b := halves(d.Train.Len())
		s.Train = d.Train.Subset(d.Name+"/search-train", a)
		s.Valid = d.Train.Subset(d.Name+"/search-valid", b)
		s.Test = d.Test
	}
	if s.Train.Len() == 0 || s.Valid.Len() == 0 {
		return nil, fmt.Errorf("data: %s: too few images to split (%d train, %d test)", d.Name, d.Train.Len(), d.Test.Len())
	}
	return s, nil
}
