package gaea

import (
	"slices"
	"testing"

	"github.com/gaeanas/gaeanas/data"
)

// TestDatasetFromSet: the first n images, normalised per channel as (byte/255 − mean)/std bit for bit,
// with their labels; n ≤ 0 or beyond the set takes every image; a bad transform is an error.
func TestDatasetFromSet(t *testing.T) {
	fm, err := data.FashionMNISTSample()
	if err != nil {
		t.Fatal(err)
	}
	cifar, err := data.CIFAR10Sample()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set  *data.Set
		name string
		n    int
		want int
	}{
		{fm.Train, data.FashionMNISTSampleName, 600, 600},
		{cifar.Test, data.CIFAR10SampleName, 7, 7},
		{cifar.Test, data.CIFAR10SampleName, 0, cifar.Test.Len()},
		{cifar.Test, data.CIFAR10SampleName, 1 << 30, cifar.Test.Len()},
	} {
		tf, err := data.TestTransform(c.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DatasetFromSet(c.set, c.n, tf)
		if err != nil {
			t.Fatal(err)
		}
		s := c.set
		if len(got.Labels) != c.want || len(got.Images) != c.want*s.ImageSize() ||
			got.Height != s.Height || got.Width != s.Width || got.Channel != s.Channels {
			t.Fatalf("%s n=%d: %d labels, %d values, %d×%d×%d; want %d images of %d×%d×%d", s.Name, c.n,
				len(got.Labels), len(got.Images), got.Height, got.Width, got.Channel, c.want, s.Height, s.Width, s.Channels)
		}
		if !slices.Equal(got.Labels, s.Labels[:c.want]) {
			t.Errorf("%s: labels differ from the set's first %d", s.Name, c.want)
		}
		for i := range got.Images {
			ch := i % s.Channels
			want := (float32(s.Images[i])/255 - tf.Mean[ch]) / tf.Std[ch]
			if got.Images[i] != want {
				t.Fatalf("%s: value %d = %v, want (byte/255 − mean)/std = %v", s.Name, i, got.Images[i], want)
			}
		}
	}
	if _, err := DatasetFromSet(fm.Train, 5, data.Transform{Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}}); err == nil {
		t.Error("a 3-channel transform on 1-channel images: no error")
	}
	if _, err := DatasetFromSet(&data.Set{}, 5, data.Transform{}); err == nil {
		t.Error("an empty set: no error")
	}
}
