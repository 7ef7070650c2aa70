package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FashionMNISTClasses are the Fashion-MNIST class names in label order.
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// MNISTClasses are the digit names in label order.
var MNISTClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte) and the number of
// dimensions.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// ReadIDX reads a pair of IDX files (LeCun's MNIST format, gzipped or not): images with magic
// 0x00000803 and dimensions N×rows×cols, labels with magic 0x00000801 and dimension N. Both must
// hold the same N, every label must be < len(classes), and the files must hold exactly the bytes
// their headers announce. The result has one channel.
func ReadIDX(imagesPath, labelsPath string, classes []string, name string) (*Set, error) {
	img, err := readIDXFile(imagesPath, idxImagesMagic)
	if err != nil {
		return nil, err
	}
	lbl, err := readIDXFile(labelsPath, idxLabelsMagic)
	if err != nil {
		return nil, err
	}
	if img.dims[0] != lbl.dims[0] {
		return nil, fmt.Errorf("data: %s: %d labels for %d images in %s", labelsPath, lbl.dims[0], img.dims[0], imagesPath)
	}
	s := &Set{Name: name, Height: img.dims[1], Width: img.dims[2], Channels: 1, Classes: classes,
		Images: img.data, Labels: make([]int32, len(lbl.data))}
	for i, l := range lbl.data {
		if int(l) >= len(classes) {
			return nil, fmt.Errorf("data: %s: label %d of item %d out of range [0, %d)", labelsPath, l, i, len(classes))
		}
		s.Labels[i] = int32(l)
	}
	return s, s.check()
}

type idxFile struct {
	dims []int
	data []byte
}

func readIDXFile(p string, magic uint32) (*idxFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", p, errors.Unwrap(err))
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r io.Reader = br
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: %s: %v", p, err)
		}
		defer gz.Close()
		r = gz
	}
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("data: %s: no IDX header (%v)", p, err)
	}
	if got := binary.BigEndian.Uint32(head[:]); got != magic {
		return nil, fmt.Errorf("data: %s: wrong magic number 0x%08x, want 0x%08x (IDX %s file)", p, got, magic, map[uint32]string{idxImagesMagic: "images", idxLabelsMagic: "labels"}[magic])
	}
	nd := int(magic & 0xff)
	dimBytes := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, fmt.Errorf("data: %s: truncated IDX header (%v)", p, err)
	}
	out := &idxFile{dims: make([]int, nd)}
	size := 1
	for i := range out.dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		if d == 0 || d > 1<<28 {
			return nil, fmt.Errorf("data: %s: implausible dimension %d = %d", p, i, d)
		}
		out.dims[i] = int(d)
		size *= int(d)
		if size > 1<<30 {
			return nil, fmt.Errorf("data: %s: implausible size %v", p, out.dims)
		}
	}
	out.data = make([]byte, size)
	if n, err := io.ReadFull(r, out.data); err != nil {
		item := size / out.dims[0]
		return nil, fmt.Errorf("data: %s: truncated record %d (%d of %d items' bytes present): %v", p, n/item, n, size, err)
	}
	if n, err := io.Copy(io.Discard, io.LimitReader(r, 1)); err != nil {
		return nil, fmt.Errorf("data: %s: corrupt or truncated gzip stream after the data: %v", p, err)
	} else if n > 0 {
		return nil, fmt.Errorf("data: %s: trailing bytes after the %v items its header announces", p, out.dims)
	}
	return out, nil
}

// idxPair finds "<prefix>-images-idx3-ubyte[.gz]" and "<prefix>-labels-idx1-ubyte[.gz]" in dir.
func idxPair(dir, prefix string) (images, labels string, err error) {
	find := func(base string) (string, error) {
		for _, ext := range []string{".gz", ""} {
			p := filepath.Join(dir, base+ext)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("data: %s: no %s[.gz]", dir, base)
	}
	if images, err = find(prefix + "-images-idx3-ubyte"); err != nil {
		return "", "", err
	}
	labels, err = find(prefix + "-labels-idx1-ubyte")
	return images, labels, err
}

// ReadFashionMNIST reads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT licence) from a folder
// holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz (or the same without .gz), such as Debian's
// /usr/share/datasets/fashion-mnist. 60,000 training and 10,000 test images of 28×28×1.
func ReadFashionMNIST(dir string) (*Dataset, error) {
	return readMNISTLike(dir, "fashion-mnist", FashionMNISTClasses)
}

// ReadMNIST reads MNIST from a folder with the same four IDX files as ReadFashionMNIST.
func ReadMNIST(dir string) (*Dataset, error) { return readMNISTLike(dir, "mnist", MNISTClasses) }

func readMNISTLike(dir, name string, classes []string) (*Dataset, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data: %s: %w", dir, errors.Unwrap(err))
	}
	d := &Dataset{Name: name}
	for _, part := range []struct {
		prefix, set string
		dst         **Set
	}{{"train", "train", &d.Train}, {"t10k", "test", &d.Test}} {
		img, lbl, err := idxPair(dir, part.prefix)
		if err != nil {
			return nil, err
		}
		s, err := ReadIDX(img, lbl, classes, name+"/"+part.set)
		if err != nil {
			return nil, err
		}
		*part.dst = s
	}
	return d, nil
}
