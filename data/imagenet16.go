package data

import (
	"bufio"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// ImageNet16 file names as NAS-Bench-201 distributes them (Imagenet16_train.zip and
// Imagenet16_val.zip of Chrabaszcz, Loshchilov and Hutter's downsampled ImageNet, 16×16).
var (
	imageNet16Train = []string{"train_data_batch_1", "train_data_batch_2", "train_data_batch_3", "train_data_batch_4",
		"train_data_batch_5", "train_data_batch_6", "train_data_batch_7", "train_data_batch_8",
		"train_data_batch_9", "train_data_batch_10"}
	imageNet16Val = "val_data"
)

// ReadImageNet16 reads ImageNet16 as NAS-Bench-201 distributes it: a folder with the pickled
// batches train_data_batch_1 … train_data_batch_10 and val_data. Each is a pickled dict with
// "data", a uint8 array of N rows of 768 values (256 red, 256 green, 256 blue, rows of 16), and
// "labels", N class numbers in 1…1000. As NB201's ImageNet16 class does with use_num_of_class_only,
// only images with 1 ≤ label ≤ classes are kept and label L becomes class L-1; NB201 uses
// classes = 120 (ImageNet16-120: 151,700 training and 6,000 validation images). classes ≤ 0 keeps
// all 1000. val_data becomes the Test set. Python 2 pickles (str data, read as latin-1) and
// Python 3 pickles (bytes) of numpy arrays or of plain bytes are understood.
func ReadImageNet16(dir string, classes int) (*Dataset, error) {
	if classes <= 0 || classes > 1000 {
		classes = 1000
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data: %s: %w", dir, errors.Unwrap(err))
	}
	names := make([]string, classes)
	for i := range names {
		names[i] = strconv.Itoa(i + 1)
	}
	d := &Dataset{Name: fmt.Sprintf("imagenet16-%d", classes)}
	read := func(set string, files []string) (*Set, error) {
		s := &Set{Name: d.Name + "/" + set, Height: 16, Width: 16, Channels: 3, Classes: names}
		for _, f := range files {
			if err := readImageNet16File(filepath.Join(dir, f), classes, s); err != nil {
				return nil, err
			}
		}
		return s, s.check()
	}
	var err error
	if d.Train, err = read("train", imageNet16Train); err != nil {
		return nil, err
	}
	if d.Test, err = read("test", []string{imageNet16Val}); err != nil {
		return nil, err
	}
	return d, nil
}

const imageNet16Pixels = 16 * 16 * 3

func readImageNet16File(p string, classes int, s *Set) (err error) {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("data: %s: %w", p, errors.Unwrap(err))
	}
	defer f.Close()
	u := pickle.NewUnpickler(bufio.NewReaderSize(f, 1<<20))
	u.FindClass = findNumpyClass
	defer func() { // gopickle may panic on malformed input; report it as a bad file
		if r := recover(); r != nil {
			err = fmt.Errorf("data: %s: malformed pickle (%v)", p, r)
		}
	}()
	v, err := u.Load()
	if err != nil {
		return fmt.Errorf("data: %s: not a readable pickle: %v", p, err)
	}
	dict, ok := v.(*types.Dict)
	if !ok {
		return fmt.Errorf("data: %s: pickle holds %T, want a dict with data and labels", p, v)
	}
	rawData, ok1 := dict.Get("data")
	rawLabels, ok2 := dict.Get("labels")
	if !ok1 || !ok2 {
		return fmt.Errorf("data: %s: pickled dict lacks \"data\" or \"labels\" (not an ImageNet16 batch)", p)
	}
	pixels, err := pickleBytes(rawData)
	if err != nil {
		return fmt.Errorf("data: %s: data: %v", p, err)
	}
	labels, err := pickleInts(rawLabels)
	if err != nil {
		return fmt.Errorf("data: %s: labels: %v", p, err)
	}
	if len(pixels)%imageNet16Pixels != 0 {
		n := len(pixels) / imageNet16Pixels
		return fmt.Errorf("data: %s: truncated record %d (%d of %d bytes)", p, n, len(pixels)-n*imageNet16Pixels, imageNet16Pixels)
	}
	if n := len(pixels) / imageNet16Pixels; n != len(labels) {
		return fmt.Errorf("data: %s: %d images but %d labels", p, n, len(labels))
	}
	for i, l := range labels {
		if l < 1 || l > 1000 {
			return fmt.Errorf("data: %s: label %d of image %d out of range [1, 1000]", p, l, i)
		}
		if l > int64(classes) {
			continue
		}
		px := pixels[i*imageNet16Pixels : (i+1)*imageNet16Pixels]
		var img [imageNet16Pixels]byte
		for j := 0; j < 256; j++ {
			img[3*j], img[3*j+1], img[3*j+2] = px[j], px[256+j], px[512+j]
		}
		s.Images = append(s.Images, img[:]...)
		s.Labels = append(s.Labels, int32(l-1))
	}
	return nil
}

// pickleBytes accepts a numpy uint8 array, Python 3 bytes or a Python 2 str.
func pickleBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case *ndarray:
		if x.dtype != "u1" && x.dtype != "|u1" && x.dtype != "b1" {
			return nil, fmt.Errorf("numpy array of dtype %q, want uint8", x.dtype)
		}
		return x.raw, nil
	case []byte:
		return x, nil
	case string:
		return []byte(x), nil
	}
	return nil, fmt.Errorf("unexpected %T, want a uint8 array", v)
}

// pickleInts accepts a list or tuple of ints or a numpy integer array.
func pickleInts(v any) ([]int64, error) {
	var items []any
	switch x := v.(type) {
	case *types.List:
		items = *x
	case *types.Tuple:
		items = *x
	case *ndarray:
		return x.ints()
	default:
		return nil, fmt.Errorf("unexpected %T, want a list of ints", v)
	}
	out := make([]int64, len(items))
	for i, it := range items {
		switch n := it.(type) {
		case int:
			out[i] = int64(n)
		case int64:
			out[i] = n
		case *big.Int:
			if !n.IsInt64() {
				return nil, fmt.Errorf("item %d is %v, too large", i, n)
			}
			out[i] = n.Int64()
		default:
			return nil, fmt.Errorf("item %d is %T, want int", i, it)
		}
	}
	return out, nil
}
