package data_test

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/gaeanas/gaeanas/data"
)

// The search split of the embedded CIFAR-10 sample: its training set halved by the documented
// permutation with the default seed.
func ExampleSearch() {
	d, err := data.CIFAR10Sample()
	if err != nil {
		panic(err)
	}
	s, err := data.Search(d, data.DefaultSplitSeed)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Train.Name, s.Train.Len())
	fmt.Println(s.Valid.Name, s.Valid.Len())
	fmt.Println(s.Test.Name, s.Test.Len())
	// Output:
	// cifar10-sample/search-train 1000
	// cifar10-sample/search-valid 1000
	// cifar10-sample/test 500
}

// Permutation is fully specified, so splits are reproducible anywhere.
func ExamplePermutation() {
	fmt.Println(data.Permutation(10, 0))
	// Output: [6 3 2 9 8 1 4 7 0 5]
}

// An endless, augmented stream of batches, checkpointed and resumed exactly.
func ExampleIterator() {
	d, _ := data.FashionMNISTSample()
	tf, _ := data.TrainTransform(d.Name, 0)
	it, err := data.NewIterator(d.Train, 64).Seed(1).Transform(tf).Infinite().Done()
	if err != nil {
		panic(err)
	}
	for i := 0; i < 50; i++ { // 50 × 64 = 3,200 images: a little past one epoch
		if _, err := it.Next(); err != nil {
			panic(err)
		}
	}
	checkpoint, _ := json.Marshal(it.State())
	fmt.Println(string(checkpoint))

	next, _ := it.Next()
	fmt.Println(next.Images.Shape(), next.Labels.Shape())

	// Later, in a resumed search: the same configuration, then the saved state.
	resumed, _ := data.NewIterator(d.Train, 64).Seed(1).Transform(tf).Infinite().Done()
	var st data.State
	_ = json.Unmarshal(checkpoint, &st)
	_ = resumed.SetState(st)
	again, _ := resumed.Next()
	fmt.Println(again.Indices[0] == next.Indices[0])
	// Output:
	// {"seed":1,"epoch":1,"position":200,"batches":50,"size":3000}
	// (Float32)[64 28 28 1] (Int32)[64 1]
	// true
}

// A finite iterator marks each epoch's end with io.EOF; the next call starts the next epoch.
func ExampleIterator_epochs() {
	d, _ := data.FashionMNISTSample()
	tf, _ := data.TestTransform(d.Name)
	it, _ := data.NewIterator(d.Test, 300).Shuffle(false).Transform(tf).Done()
	for {
		b, err := it.Next()
		if err == io.EOF {
			break
		}
		fmt.Print(b.Images.Shape().Dimensions[0], " ")
	}
	fmt.Println("| epoch", it.State().Epoch)
	// Output: 300 300 300 100 | epoch 1
}

// Flipping twice gives back the image.
func ExampleFlipHorizontal() {
	img := []byte{1, 2, 3, 4, 5, 6} // one row of 3 pixels with 2 channels each
	data.FlipHorizontal(img, 1, 3, 2)
	fmt.Println(img)
	data.FlipHorizontal(img, 1, 3, 2)
	fmt.Println(img)
	// Output:
	// [5 6 3 4 1 2]
	// [1 2 3 4 5 6]
}
