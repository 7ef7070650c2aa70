package data

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

//go:generate go run ./internal/mkembedded -src /usr/share/datasets/fashion-mnist -out embedded -train 300 -test 100
//go:generate go run ./internal/mkcifarsample -src ../../shared/data/cifar10/cifar-10-binary.tar.gz -out embedded -train 200 -test 50

//go:embed embedded/*.gz embedded/LICENSE embedded/README.md
var embeddedFS embed.FS

// Names of the data sets compiled into every binary. EmbeddedName ("embedded") is an alias of
// CIFAR10SampleName, the default data of `gaea search`.
const (
	CIFAR10SampleName      = "cifar10-sample"
	FashionMNISTSampleName = "fashion-mnist-sample"
	EmbeddedName           = "embedded"
)

// EmbeddedLicense is the attribution and licence of the embedded Fashion-MNIST sample (MIT,
// Zalando SE). The CIFAR-10 sample's attribution (Krizhevsky, 2009) is in EmbeddedREADME.
func EmbeddedLicense() string {
	b, _ := embeddedFS.ReadFile("embedded/LICENSE")
	return string(b)
}

// EmbeddedREADME describes the embedded samples and their sources, with attribution.
func EmbeddedREADME() string {
	b, _ := embeddedFS.ReadFile("embedded/README.md")
	return string(b)
}

var (
	embeddedOnce    sync.Once
	embeddedSet     *Dataset
	embeddedErr     error
	cifarSampleOnce sync.Once
	cifarSampleSet  *Dataset
	cifarSampleErr  error
)

// Embedded returns the default embedded data set, CIFAR10Sample ("embedded" is its alias).
func Embedded() (*Dataset, error) { return CIFAR10Sample() }

// CIFAR10Sample returns the CIFAR-10 sample compiled into every binary, so that a search runs on a
// fresh machine with no download and concerns the data set of the NAS-Bench-201 CIFAR-10 column:
// 2,000 training images (the first 200 of each class of data_batch_1.bin) and 500 test images (the
// first 50 of each class of test_batch.bin) of CIFAR-10 (Krizhevsky, 2009, "Learning Multiple
// Layers of Features from Tiny Images"), 32×32×3, in file order. About 7.3 MB of gzipped raw
// records, made by data/internal/mkcifarsample (go generate). Its name is "cifar10-sample"; it is
// augmented and normalised like CIFAR-10. The returned sets are shared: do not modify them.
func CIFAR10Sample() (*Dataset, error) {
	cifarSampleOnce.Do(func() {
		d := &Dataset{Name: CIFAR10SampleName}
		if d.Train, cifarSampleErr = embeddedCIFAR("embedded/cifar10-train.bin.gz", CIFAR10SampleName+"/train"); cifarSampleErr != nil {
			return
		}
		if d.Test, cifarSampleErr = embeddedCIFAR("embedded/cifar10-test.bin.gz", CIFAR10SampleName+"/test"); cifarSampleErr != nil {
			return
		}
		cifarSampleSet = d
	})
	return cifarSampleSet, cifarSampleErr
}

// embeddedCIFAR decodes a gzipped file of CIFAR-10 records.
func embeddedCIFAR(file, name string) (*Set, error) {
	raw, err := embeddedGunzip(file)
	if err != nil {
		return nil, err
	}
	rec := 1 + cifarPixels
	if len(raw) == 0 || len(raw)%rec != 0 {
		return nil, fmt.Errorf("data: %s: %d bytes is not a whole number of CIFAR-10 records", file, len(raw))
	}
	n := len(raw) / rec
	s := &Set{Name: name, Height: 32, Width: 32, Channels: 3, Classes: CIFAR10Classes,
		Images: make([]byte, n*cifarPixels), Labels: make([]int32, n)}
	if err := decodeRecords(file, raw, &cifar10Layout, s, 0, 0); err != nil {
		return nil, err
	}
	return s, s.check()
}

func embeddedGunzip(file string) ([]byte, error) {
	b, err := embeddedFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %v", file, err)
	}
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("data: %s: %v", file, err)
	}
	raw, err := io.ReadAll(z)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %v", file, err)
	}
	return raw, nil
}

// FashionMNISTSample returns the Fashion-MNIST sample compiled into every binary: 3,000 training
// images (300 per class) and 1,000 test images (100 per class) of Fashion-MNIST (Xiao, Rasul and
// Vollgraf, 2017; © 2017 Zalando SE, MIT licence — see EmbeddedLicense), 28×28×1, the first images
// of each class in the official files' order. About 1.75 MB of gzipped IDX files, made by
// data/internal/mkembedded (go generate). Its name is "fashion-mnist-sample"; it normalises with
// the Fashion-MNIST constants. The returned sets are shared: do not modify them.
func FashionMNISTSample() (*Dataset, error) {
	embeddedOnce.Do(func() {
		d := &Dataset{Name: FashionMNISTSampleName}
		for _, p := range []struct {
			prefix, set string
			dst         **Set
		}{{"train", "train", &d.Train}, {"t10k", "test", &d.Test}} {
			s, err := embeddedIDX(p.prefix, FashionMNISTSampleName+"/"+p.set)
			if err != nil {
				embeddedErr = err
				return
			}
			*p.dst = s
		}
		embeddedSet = d
	})
	return embeddedSet, embeddedErr
}

func embeddedIDX(prefix, name string) (*Set, error) {
	read := func(file string, magic uint32) ([]byte, error) {
		raw, err := embeddedGunzip(file)
		if err != nil {
			return nil, err
		}
		if len(raw) < 8 || binary.BigEndian.Uint32(raw) != magic {
			return nil, fmt.Errorf("data: %s: wrong magic number", file)
		}
		return raw, nil
	}
	img, err := read("embedded/"+prefix+"-images-idx3-ubyte.gz", idxImagesMagic)
	if err != nil {
		return nil, err
	}
	lbl, err := read("embedded/"+prefix+"-labels-idx1-ubyte.gz", idxLabelsMagic)
	if err != nil {
		return nil, err
	}
	if len(img) < 16 {
		return nil, fmt.Errorf("data: %s: short header", name)
	}
	h, w := int(binary.BigEndian.Uint32(img[8:])), int(binary.BigEndian.Uint32(img[12:]))
	s := &Set{Name: name, Height: h, Width: w, Channels: 1, Classes: FashionMNISTClasses, Images: img[16:]}
	for _, l := range lbl[8:] {
		s.Labels = append(s.Labels, int32(l))
	}
	return s, s.check()
}
