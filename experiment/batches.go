package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Data is what a search reads: the images of the weight block (Train), those of the architecture block
// (Arch: Train itself for single-level search, the held-out split for bilevel), and the held-out split
// (Valid, also used to score RS-WS candidates).
type Data struct {
	Train, Arch, Valid *data.Set
	Classes            int
}

// OpenData opens the data set of the settings and splits it as the level asks:
//
//   - single level (ERM, GAEA): both blocks draw from the whole training set (CIFAR-10: 50,000 images;
//     liamcli/gaea_release trains NAS-Bench-201 ERM on the full training set);
//   - bilevel: data.Search's split (CIFAR-10: 25,000 / 25,000; CIFAR-100 and ImageNet16: the training
//     set / half the test set), as AutoDL-Projects and DARTS split it.
//
// Subset > 0 keeps the first Subset images of each part.
func OpenData(ctx context.Context, s *Settings, progress io.Writer) (*Data, error) {
	ds, err := data.Open(ctx, s.Dataset, data.Options{Dir: s.DataDir, Progress: progress})
	if err != nil {
		return nil, err
	}
	split, err := data.Search(ds, data.DefaultSplitSeed)
	if err != nil {
		return nil, err
	}
	d := &Data{Train: split.Train, Valid: split.Valid, Classes: len(ds.Train.Classes)}
	if s.Level == SingleLevel {
		d.Train = ds.Train
	}
	if s.Subset > 0 {
		d.Train, d.Valid = d.Train.First(s.Subset), d.Valid.First(s.Subset)
	}
	d.Arch = d.Train
	if s.Level == BiLevel {
		d.Arch = d.Valid
	}
	for _, set := range []*data.Set{d.Train, d.Arch} {
		if set.Len() < s.Batch {
			return nil, fmt.Errorf("batch %d is larger than the %d images of %s", s.Batch, set.Len(), set.Name)
		}
	}
	return d, nil
}

// StepsPerEpoch is the number of iterations of one epoch: one pass of the weight block over its images,
// counted as PyTorch's DataLoader does (the last batch of an epoch may be partial there; here every batch
// is full and the next epoch starts where it would).
func (d *Data) StepsPerEpoch(batch int) int { return (d.Train.Len() + batch - 1) / batch }

// Batches feeds a search from data iterators: the weight block from Data.Train, the architecture block
// from Data.Arch. Both streams are infinite, reshuffled every epoch with the search's seed, and augmented
// with the data set's training transform (random crop and flip for colour images, then normalisation), as
// the reference search loaders do for both blocks; with Settings.AugmentArch false the architecture
// stream gets the test transform (normalisation only). Their positions are checkpointed (gaea.Batches).
type Batches struct {
	weights, arch *data.Iterator
}

var _ gaea.Batches = (*Batches)(nil)

// NewBatches returns the batch source of a search over d.
func NewBatches(s *Settings, d *Data) (*Batches, error) {
	tf, err := data.TrainTransform(s.Dataset, 0)
	if err != nil {
		tf = data.Transform{} // data sets without normalisation constants: pixels scaled to 0–1 only
	}
	archTf := tf
	if !s.AugmentArch {
		if archTf, err = data.TestTransform(s.Dataset); err != nil {
			archTf = data.Transform{}
		}
	}
	mk := func(set *data.Set, seed uint64, tf data.Transform) (*data.Iterator, error) {
		return data.NewIterator(set, s.Batch).Seed(seed).Infinite().Transform(tf).Done()
	}
	w, err := mk(d.Train, uint64(s.Seed)*2+1, tf)
	if err != nil {
		return nil, err
	}
	a, err := mk(d.Arch, uint64(s.Seed)*2+2, archTf)
	if err != nil {
		return nil, err
	}
	return &Batches{weights: w, arch: a}, nil
}

// Next implements gaea.Batches.
func (b *Batches) Next(block gaea.Block) (images, labels *tensors.Tensor, err error) {
	it := b.weights
	if block == gaea.ArchBlock {
		it = b.arch
	}
	x, err := it.Next()
	if err != nil {
		return nil, nil, err
	}
	return x.Images, x.Labels, nil
}

type batchesState struct {
	Weights data.State `json:"weights"`
	Arch    data.State `json:"arch"`
}

// State implements gaea.Batches.
func (b *Batches) State() (json.RawMessage, error) {
	return json.Marshal(batchesState{Weights: b.weights.State(), Arch: b.arch.State()})
}

// SetState implements gaea.Batches.
func (b *Batches) SetState(raw json.RawMessage) error {
	var s batchesState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	if err := b.weights.SetState(s.Weights); err != nil {
		return err
	}
	return b.arch.SetState(s.Arch)
}

// validBatches returns a function that yields batches of the held-out split, unaugmented (the test
// transform), in a random order drawn from seed, full batches running on from one pass into the next:
// how RS-WS scores its candidates (D-X-Y/AutoDL-Projects exps/NAS-Bench-201-algos/RANDOM-NAS.py
// search_find_best: the next batch of a loader over the valid split with a SubsetRandomSampler, the
// loader started again when it runs out; its last batch of a pass is partial, here every batch is full).
func validBatches(s *Settings, d *Data, seed uint64) (func() (*tensors.Tensor, *tensors.Tensor, error), error) {
	tf, err := data.TestTransform(s.Dataset)
	if err != nil {
		tf = data.Transform{}
	}
	it, err := data.NewIterator(d.Valid, s.Batch).Seed(seed).Infinite().Transform(tf).Done()
	if err != nil {
		return nil, err
	}
	return func() (*tensors.Tensor, *tensors.Tensor, error) {
		b, err := it.Next()
		if err != nil {
			return nil, nil, err
		}
		return b.Images, b.Labels, nil
	}, nil
}

// datasetSizes are the training and test set sizes of the data sets, to state in settings how many
// images each block draws from before any data is read.
var datasetSizes = map[string][2]int{
	"cifar10":              {50_000, 10_000},
	"cifar100":             {50_000, 10_000},
	"fashion-mnist":        {60_000, 10_000},
	"mnist":                {60_000, 10_000},
	"imagenet16-120":       {151_700, 6_000},
	"cifar10-sample":       {2_000, 500},
	"fashion-mnist-sample": {3_000, 1_000},
	"embedded":             {2_000, 500},
}

// DatasetNames lists the data sets a search can read (imagenet16-N for other N too).
func DatasetNames() []string {
	names := data.Names()
	for n := range datasetSizes {
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func knownDataset(name string) bool {
	if n, ok := strings.CutPrefix(name, "imagenet16-"); ok {
		_, err := strconv.Atoi(n)
		return err == nil
	}
	return contains(DatasetNames(), name)
}

// fillImages sets TrainImages and ValidImages from the data set's size, the level and Subset, as
// OpenData will split it (0 when the size is not known in advance).
func (s *Settings) fillImages() error {
	size, ok := datasetSizes[s.Dataset]
	if !ok {
		s.TrainImages, s.ValidImages = 0, 0
		s.Sources["train_images"] = "known when the data set is opened"
		s.Sources["valid_images"] = "known when the data set is opened"
		return nil
	}
	train, valid := size[0], 0
	how := "the whole training set"
	if s.Level == BiLevel {
		if s.Dataset == "cifar100" || s.Dataset == "imagenet16-120" {
			valid = size[1] / 2
			how = "the training set; the architecture block: half the test set (AutoDL-Projects get_nas_search_loaders)"
		} else {
			train, valid = size[0]/2, size[0]-size[0]/2
			how = "half the training set each (AutoDL-Projects cifar-split.txt, quark0/darts train_portion 0.5)"
		}
	}
	if s.Subset > 0 {
		train, valid = min(train, s.Subset), min(valid, s.Subset)
		how += fmt.Sprintf(", first %d of each", s.Subset)
	}
	s.TrainImages, s.ValidImages = train, valid
	s.Sources["train_images"] = s.Dataset + ": " + how
	s.Sources["valid_images"] = s.Dataset + ": " + how
	if s.Level == SingleLevel {
		s.Sources["valid_images"] = "single level: the architecture block draws from the training images"
	}
	return nil
}
