package data

import (
	"os"
	"testing"
	"time"
)

// benchSet returns the real CIFAR-10 training set if available, else 50,000 random 32×32×3 images
// (the cost of a batch does not depend on the pixel values).
func benchSet(b *testing.B) *Set {
	if _, err := os.Stat(cifarPath); err == nil {
		return realCIFAR10(b).Train
	}
	s := synthetic("cifar10", 50000, 1, 32, 32, 3, 10).Train
	return s
}

// BenchmarkCIFAR10Batches64Augmented measures the input pipeline as a search uses it: batches of
// 64 CIFAR-10 images with random crop (pad 4), flip and normalisation, as GoMLX tensors.
// Target: ≥ 20,000 images/s on 2 cores.
func BenchmarkCIFAR10Batches64Augmented(b *testing.B) {
	benchBatches(b, 0)
}

// BenchmarkCIFAR10Batches64Cutout adds cutout 16 (final training).
func BenchmarkCIFAR10Batches64Cutout(b *testing.B) {
	benchBatches(b, 16)
}

func benchBatches(b *testing.B, cutout int) {
	s := benchSet(b)
	tf, _ := TrainTransform("cifar10", cutout)
	it, err := NewIterator(s, 64).Seed(1).Transform(tf).Infinite().Done()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		batch, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		batch.Images.FinalizeAll()
		batch.Labels.FinalizeAll()
	}
	b.ReportMetric(float64(b.N*64)/time.Since(start).Seconds(), "images/s")
}

// BenchmarkLoadCIFAR10 reads all of CIFAR-10 from the .tar.gz (target: < 3 s).
func BenchmarkLoadCIFAR10(b *testing.B) {
	if _, err := os.Stat(cifarPath); err != nil {
		b.Skipf("real CIFAR-10 not available at %s: %v", cifarPath, err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := ReadCIFAR10(cifarPath); err != nil {
			b.Fatal(err)
		}
	}
}
