package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func idxBytes(magic uint32, dims []int, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, body...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write(b)
	z.Close()
	return buf.Bytes()
}

// writeIDXPair writes n 3×2 images (image i all bytes i) with labels i%10.
func writeIDXPair(t *testing.T, dir, prefix string, n int, zip bool) {
	t.Helper()
	img, lbl := make([]byte, n*6), make([]byte, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 6; j++ {
			img[i*6+j] = byte(i)
		}
		lbl[i] = byte(i % 10)
	}
	ib, lb := idxBytes(idxImagesMagic, []int{n, 3, 2}, img), idxBytes(idxLabelsMagic, []int{n}, lbl)
	ext := ""
	if zip {
		ib, lb, ext = gz(ib), gz(lb), ".gz"
	}
	os.WriteFile(filepath.Join(dir, prefix+"-images-idx3-ubyte"+ext), ib, 0o644)
	os.WriteFile(filepath.Join(dir, prefix+"-labels-idx1-ubyte"+ext), lb, 0o644)
}

func TestIDXGzippedAndPlain(t *testing.T) {
	for _, zip := range []bool{true, false} {
		dir := t.TempDir()
		writeIDXPair(t, dir, "train", 30, zip)
		writeIDXPair(t, dir, "t10k", 12, zip)
		d, err := ReadMNIST(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "mnist" || d.Train.Len() != 30 || d.Test.Len() != 12 || d.Train.Height != 3 || d.Train.Width != 2 || d.Train.Channels != 1 {
			t.Fatalf("zip=%v: %+v", zip, d.Train)
		}
		if d.Train.Image(17)[5] != 17 || d.Train.Labels[17] != 7 {
			t.Errorf("image 17: %v label %d", d.Train.Image(17), d.Train.Labels[17])
		}
	}
}

func TestIDXBadInput(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes(idxImagesMagic, []int{4, 2, 2}, make([]byte, 16))
	goodLabels := idxBytes(idxLabelsMagic, []int{4}, []byte{0, 1, 2, 3})
	cases := []struct {
		name         string
		images, lbls []byte
		badFile      string // "images" or "labels": the file the error must name
		want         []string
	}{
		{"wrong magic", idxBytes(0x00000801, []int{4, 2, 2}, make([]byte, 16)), goodLabels, "images", []string{"wrong magic number 0x00000801, want 0x00000803"}},
		{"labels as images", goodLabels, goodLabels, "images", []string{"wrong magic number"}},
		{"truncated record", good[:len(good)-3], goodLabels, "images", []string{"truncated record 3"}},
		{"truncated gzip", gz(good)[:30], goodLabels, "images", []string{"truncated"}},
		{"truncated header", good[:9], goodLabels, "images", []string{"truncated IDX header"}},
		{"empty", nil, goodLabels, "images", []string{"no IDX header"}},
		{"trailing bytes", append(good, 1, 2), goodLabels, "images", []string{"trailing bytes"}},
		{"label out of range", good, idxBytes(idxLabelsMagic, []int{4}, []byte{0, 1, 10, 3}), "labels", []string{"label 10 of item 2 out of range"}},
		{"count mismatch", good, idxBytes(idxLabelsMagic, []int{3}, []byte{0, 1, 2}), "labels", []string{"3 labels for 4 images"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ip, lp := filepath.Join(dir, "images-"+c.name), filepath.Join(dir, "labels-"+c.name)
			os.WriteFile(ip, c.images, 0o644)
			os.WriteFile(lp, c.lbls, 0o644)
			s, err := ReadIDX(ip, lp, MNISTClasses, "test")
			file := ip
			if c.badFile == "labels" {
				file = lp
			}
			checkBadInput(t, s, err, file, c.want...)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		d, err := ReadFashionMNIST(filepath.Join(dir, "nowhere"))
		checkBadInput(t, d, err, "nowhere", "no such file")
		writeIDXPair(t, dir, "train", 3, true)
		d, err = ReadFashionMNIST(dir)
		checkBadInput(t, d, err, dir, "no t10k-images-idx3-ubyte")
	})
}

const debianFashion = "/usr/share/datasets/fashion-mnist"

func TestRealFashionMNIST(t *testing.T) {
	if _, err := os.Stat(filepath.Join(debianFashion, "t10k-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	if testing.Short() {
		t.Skip("-short")
	}
	d, err := ReadFashionMNIST(debianFashion)
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.Test.Len() != 10000 || d.Train.Height != 28 || d.Train.Width != 28 {
		t.Fatalf("%d/%d images of %d×%d", d.Train.Len(), d.Test.Len(), d.Train.Height, d.Train.Width)
	}
	for c, n := range d.Train.ClassCounts() {
		if n != 6000 {
			t.Errorf("class %d: %d images", c, n)
		}
	}
	mean, std := d.Train.MeanStd()
	if mean[0] < 0.28 || mean[0] > 0.29 || std[0] < 0.34 || std[0] > 0.36 {
		t.Errorf("mean %.4f std %.4f, want ≈ 0.2860, 0.3530", mean[0], std[0])
	}
	// The embedded sample is the first 300 training images of each class, in order.
	e, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	count := make([]int, 10)
	for i, l := range d.Train.Labels {
		if count[l] < 300 {
			count[l]++
			idx = append(idx, i)
		}
	}
	sub := d.Train.Subset("x", idx)
	if !bytes.Equal(sub.Images, e.Train.Images) {
		t.Error("embedded training images differ from the first 300 per class of the official file")
	}
}
