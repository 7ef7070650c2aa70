package gaea

import (
	"fmt"

	"github.com/gaeanas/gaeanas/data"
)

// DatasetFromSet converts the first n images of s (all of them when n ≤ 0 or n > s.Len()) into a Dataset
// for MemoryBatches: each image through tf (data.TestTransform(name) scales to 0–1 and normalises with
// the data set's mean and std; the zero Transform only scales). A transform that draws random choices
// (crop, flip, cutout) draws them once per image, with the image's index as seed, so the result is a
// fixed set.
func DatasetFromSet(s *data.Set, n int, tf data.Transform) (Dataset, error) {
	if s == nil || s.Len() == 0 {
		return Dataset{}, fmt.Errorf("gaea: dataset from set: no images")
	}
	if n <= 0 || n > s.Len() {
		n = s.Len()
	}
	size := s.ImageSize()
	images := make([]float32, n*size)
	for i := 0; i < n; i++ {
		if err := tf.Apply(images[i*size:(i+1)*size], s.Image(i), s.Height, s.Width, s.Channels, uint64(i)); err != nil {
			return Dataset{}, fmt.Errorf("gaea: dataset from set %s: image %d: %w", s.Name, i, err)
		}
	}
	labels := append([]int32(nil), s.Labels[:n]...)
	return Dataset{Images: images, Labels: labels, Height: s.Height, Width: s.Width, Channel: s.Channels}, nil
}
