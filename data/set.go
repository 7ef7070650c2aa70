package data

import (
	"fmt"
	"math"
)

// Set is one part (train or test) of an image classification data set, held in memory as bytes.
//
// Images are stored NHWC: image i is Images[i*H*W*C : (i+1)*H*W*C], row-major, channels last,
// one byte (0–255) per value. This is the layout of the batches an Iterator yields, so building a
// batch is a gather plus a per-byte lookup.
type Set struct {
	// Name says where the set comes from, e.g. "cifar10/train" or "cifar10/search-valid".
	Name string
	// Height, Width and Channels of every image (CIFAR: 32, 32, 3; MNIST: 28, 28, 1).
	Height, Width, Channels int
	// Classes names the classes; labels index it.
	Classes []string
	// Images holds Len()·Height·Width·Channels bytes, NHWC.
	Images []byte
	// Labels holds one class index in [0, len(Classes)) per image.
	Labels []int32
	// Coarse holds the CIFAR-100 superclass of each image (indexing CoarseClasses); nil for
	// other data sets.
	Coarse        []int32
	CoarseClasses []string
}

// Len returns the number of images.
func (s *Set) Len() int { return len(s.Labels) }

// ImageSize returns Height·Width·Channels, the number of bytes of one image.
func (s *Set) ImageSize() int { return s.Height * s.Width * s.Channels }

// Image returns the bytes of image i (NHWC, a sub-slice of Images, not a copy).
func (s *Set) Image(i int) []byte {
	n := s.ImageSize()
	return s.Images[i*n : (i+1)*n]
}

// Subset returns a new Set with the images at the given indices, in that order, copied. Its name is
// the given name.
func (s *Set) Subset(name string, indices []int) *Set {
	n := s.ImageSize()
	out := &Set{Name: name, Height: s.Height, Width: s.Width, Channels: s.Channels,
		Classes: s.Classes, CoarseClasses: s.CoarseClasses,
		Images: make([]byte, len(indices)*n), Labels: make([]int32, len(indices))}
	if s.Coarse != nil {
		out.Coarse = make([]int32, len(indices))
	}
	for k, i := range indices {
		copy(out.Images[k*n:(k+1)*n], s.Image(i))
		out.Labels[k] = s.Labels[i]
		if s.Coarse != nil {
			out.Coarse[k] = s.Coarse[i]
		}
	}
	return out
}

// First returns the first n images of s (s itself when it has no more), named "<name>[:n]".
func (s *Set) First(n int) *Set {
	if n >= s.Len() {
		return s
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return s.Subset(fmt.Sprintf("%s[:%d]", s.Name, n), idx)
}

// ClassCounts returns the number of images of each class.
func (s *Set) ClassCounts() []int {
	c := make([]int, len(s.Classes))
	for _, l := range s.Labels {
		c[l]++
	}
	return c
}

// MeanStd returns the per-channel mean and (population) standard deviation of the pixel values
// on the 0–1 scale (byte/255), computed exactly with integer sums.
func (s *Set) MeanStd() (mean, std []float64) {
	c := s.Channels
	sum := make([]uint64, c)
	sq := make([]uint64, c)
	// Count byte values per channel first: 256·C counters, then one pass of sums.
	hist := make([][256]uint64, c)
	for ch := 0; ch < c; ch++ {
		h := &hist[ch]
		for i := ch; i < len(s.Images); i += c {
			h[s.Images[i]]++
		}
	}
	for ch := range hist {
		for v, n := range hist[ch] {
			sum[ch] += n * uint64(v)
			sq[ch] += n * uint64(v*v)
		}
	}
	count := float64(len(s.Images) / max(c, 1))
	mean, std = make([]float64, c), make([]float64, c)
	for ch := 0; ch < c; ch++ {
		m := float64(sum[ch]) / count
		v := float64(sq[ch])/count - m*m
		mean[ch] = m / 255
		std[ch] = math.Sqrt(math.Max(v, 0)) / 255
	}
	return mean, std
}

// check verifies the invariants of a Set: sizes agree and every label is in range. Loaders call it
// so that a Set handed out is always consistent.
func (s *Set) check() error {
	if s.Height <= 0 || s.Width <= 0 || s.Channels <= 0 {
		return fmt.Errorf("data: %s: bad image shape %d×%d×%d", s.Name, s.Height, s.Width, s.Channels)
	}
	if len(s.Images) != len(s.Labels)*s.ImageSize() {
		return fmt.Errorf("data: %s: %d image bytes for %d labels of %d bytes", s.Name, len(s.Images), len(s.Labels), s.ImageSize())
	}
	for i, l := range s.Labels {
		if l < 0 || int(l) >= len(s.Classes) {
			return fmt.Errorf("data: %s: label %d of image %d out of range [0, %d)", s.Name, l, i, len(s.Classes))
		}
	}
	return nil
}

// Dataset is a named pair of training and test sets.
type Dataset struct {
	// Name is the canonical name: "cifar10", "cifar100", "fashion-mnist", "mnist",
	// "imagenet16-120" (or "imagenet16-N" for another class filter), "cifar10-sample" (also when
	// opened as "embedded") or "fashion-mnist-sample".
	Name        string
	Train, Test *Set
}
