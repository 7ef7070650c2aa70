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

//go:embed embedded/*.gz embedded/LICENSE
var embeddedFS embed.FS

// EmbeddedLicense is the attribution and licence of the embedded sample (MIT, Zalando SE).
func EmbeddedLicense() string {
	b, _ := embeddedFS.ReadFile("embedded/LICENSE")
	return string(b)
}

var (
	embeddedOnce sync.Once
	embeddedSet  *Dataset
	embeddedErr  error
)

// Embedded returns the data set compiled into every binary, so that a search runs on a fresh
// machine with no download: 3,000 training images (300 per class) and 1,000 test images (100 per
// class) of Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; © 2017 Zalando SE, MIT licence — see
// EmbeddedLicense), 28×28×1, the first images of each class in the official files' order.
// About 1.75 MB of gzipped IDX files, made by data/internal/mkembedded (go generate).
// Its name is "embedded"; it normalises with the Fashion-MNIST constants. The returned sets are
// shared: do not modify them.
func Embedded() (*Dataset, error) {
	embeddedOnce.Do(func() {
		d := &Dataset{Name: "embedded"}
		for _, p := range []struct {
			prefix, set string
			dst         **Set
		}{{"train", "train", &d.Train}, {"t10k", "test", &d.Test}} {
			s, err := embeddedIDX(p.prefix, "embedded/"+p.set)
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
