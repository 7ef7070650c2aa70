package data

import (
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// sharedData is the read-only reference data folder, ../shared/data from the repository root.
const sharedData = "../../shared/data"

var cifarPath = filepath.Join(sharedData, "cifar10", "cifar-10-binary.tar.gz")

var (
	cifarOnce sync.Once
	cifarSet  *Dataset
	cifarErr  error
)

// realCIFAR10 loads the shared CIFAR-10 once per test binary, or skips.
func realCIFAR10(tb testing.TB) *Dataset {
	tb.Helper()
	if _, err := os.Stat(cifarPath); err != nil {
		tb.Skipf("real CIFAR-10 not available at %s (the shared reference data folder): %v", cifarPath, err)
	}
	cifarOnce.Do(func() { cifarSet, cifarErr = ReadCIFAR10(cifarPath) })
	if cifarErr != nil {
		tb.Fatal(cifarErr)
	}
	return cifarSet
}

func TestRealCIFAR10(t *testing.T) {
	d := realCIFAR10(t)
	if d.Name != "cifar10" || d.Train.Len() != 50000 || d.Test.Len() != 10000 {
		t.Fatalf("got %s with %d train / %d test, want cifar10 with 50000 / 10000", d.Name, d.Train.Len(), d.Test.Len())
	}
	if len(d.Train.Classes) != 10 || d.Train.Classes[0] != "airplane" || d.Train.Classes[9] != "truck" {
		t.Errorf("classes %v", d.Train.Classes)
	}
	for c, n := range d.Train.ClassCounts() {
		if n != 5000 {
			t.Errorf("class %d (%s): %d training images, want 5000", c, d.Train.Classes[c], n)
		}
	}
	for c, n := range d.Test.ClassCounts() {
		if n != 1000 {
			t.Errorf("class %d: %d test images, want 1000", c, n)
		}
	}
	mean, std := d.Train.MeanStd()
	want := []float64{0.4914, 0.4822, 0.4465}
	for c := range want {
		if math.Abs(mean[c]-want[c]) > 0.005 {
			t.Errorf("channel %d mean %.4f, want %.4f ± 0.005", c, mean[c], want[c])
		}
		if math.Abs(std[c]-float64(CIFAR10Std[c])) > 0.01 {
			t.Errorf("channel %d std %.4f, want ≈ %.4f", c, std[c], CIFAR10Std[c])
		}
	}
	t.Logf("train mean %.4f std %.4f", mean, std)
}

func TestRealCIFAR10Split(t *testing.T) {
	d := realCIFAR10(t)
	s, err := Search(d, DefaultSplitSeed)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 25000 || s.Valid.Len() != 25000 || s.Test.Len() != 10000 {
		t.Fatalf("split %d/%d/%d, want 25000/25000/10000", s.Train.Len(), s.Valid.Len(), s.Test.Len())
	}
	for c, n := range s.Train.ClassCounts() {
		if n < 2300 || n > 2700 {
			t.Errorf("search-train class %d: %d images, want ≈ 2500", c, n)
		}
	}
}
