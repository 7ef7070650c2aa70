package data

import (
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"
)

func TestFashionMNISTSample(t *testing.T) {
	d, err := FashionMNISTSample()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "fashion-mnist-sample" || d.Train.Len() != 3000 || d.Test.Len() != 1000 || d.Train.Height != 28 || d.Train.Channels != 1 {
		t.Fatalf("%s: %d/%d images %d×%d×%d", d.Name, d.Train.Len(), d.Test.Len(), d.Train.Height, d.Train.Width, d.Train.Channels)
	}
	for c, n := range d.Train.ClassCounts() {
		if n != 300 {
			t.Errorf("train class %d: %d", c, n)
		}
	}
	for c, n := range d.Test.ClassCounts() {
		if n != 100 {
			t.Errorf("test class %d: %d", c, n)
		}
	}
	if l := EmbeddedLicense(); !strings.Contains(l, "MIT") || !strings.Contains(l, "Zalando SE") {
		t.Error("licence text missing")
	}
	again, _ := FashionMNISTSample()
	if again != d {
		t.Error("FashionMNISTSample decodes twice")
	}
}

func TestCIFAR10Sample(t *testing.T) {
	d, err := CIFAR10Sample()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "cifar10-sample" || d.Train.Len() != 2000 || d.Test.Len() != 500 || d.Train.Height != 32 || d.Train.Channels != 3 {
		t.Fatalf("%s: %d/%d images %d×%d×%d", d.Name, d.Train.Len(), d.Test.Len(), d.Train.Height, d.Train.Width, d.Train.Channels)
	}
	for c, n := range d.Train.ClassCounts() {
		if n != 200 {
			t.Errorf("train class %d: %d", c, n)
		}
	}
	for c, n := range d.Test.ClassCounts() {
		if n != 50 {
			t.Errorf("test class %d: %d", c, n)
		}
	}
	for _, name := range []string{"embedded", "cifar10-sample"} {
		o, err := Open(context.Background(), name, Options{NoDownload: true})
		if err != nil || o != d {
			t.Errorf("Open(%q) = %v, %v; want the CIFAR-10 sample", name, o, err)
		}
		for _, tr := range []func() (Transform, error){func() (Transform, error) { return TrainTransform(name, 0) }, func() (Transform, error) { return TestTransform(name) }} {
			tf, err := tr()
			if err != nil || len(tf.Mean) != 3 || tf.Mean[0] != CIFAR10Mean[0] || tf.Std[2] != CIFAR10Std[2] {
				t.Errorf("%s: transform %+v, %v; want the CIFAR-10 constants", name, tf, err)
			}
		}
	}
	if tf, _ := TrainTransform("cifar10-sample", 0); tf.CropPad != 4 || !tf.Flip {
		t.Errorf("cifar10-sample train transform %+v: want CIFAR-10's crop and flip", tf)
	}
	if r := EmbeddedREADME(); !strings.Contains(r, "Krizhevsky") || !strings.Contains(r, "2009") {
		t.Error("CIFAR-10 attribution missing")
	}
	total := 0
	fs.WalkDir(embeddedFS, ".", func(p string, e fs.DirEntry, err error) error {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			total += int(info.Size())
		}
		return nil
	})
	t.Logf("embedded files: %d bytes", total)
	if total > 10<<20 {
		t.Errorf("embedded files take %d bytes, budget 10 MiB", total)
	}
}

// TestCIFAR10SampleMatchesArchive: the sample's records are the first 200 (50) images of every
// class of the reference archive's data_batch_1.bin (test_batch.bin), in file order.
func TestCIFAR10SampleMatchesArchive(t *testing.T) {
	real := realCIFAR10(t) // skips without ../shared/data
	d, err := CIFAR10Sample()
	if err != nil {
		t.Fatal(err)
	}
	check := func(sample, full *Set, first, per int) {
		var want []int
		count := make([]int, 10)
		for i := 0; i < first && len(want) < 10*per; i++ { // images 0..first-1 of full are the file's records
			if l := full.Labels[i]; count[l] < per {
				count[l]++
				want = append(want, i)
			}
		}
		if len(want) != sample.Len() {
			t.Fatalf("%s: %d images, the archive gives %d", sample.Name, sample.Len(), len(want))
		}
		for k, i := range want {
			if sample.Labels[k] != full.Labels[i] || !bytes.Equal(sample.Image(k), full.Image(i)) {
				t.Fatalf("%s: image %d differs from %s image %d", sample.Name, k, full.Name, i)
			}
		}
	}
	check(d.Train, real.Train, 10000, 200)
	check(d.Test, real.Test, 10000, 50)
}
