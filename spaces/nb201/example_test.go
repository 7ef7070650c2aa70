package nb201_test

import (
	"fmt"

	"github.com/gaeanas/gaeanas/spaces/nb201"
)

// Look up an architecture in the embedded NAS-Bench-201 table.
func ExampleLookup() {
	arch, err := nb201.ParseArch("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
	if err != nil {
		panic(err)
	}
	e := nb201.Lookup(arch)
	fmt.Printf("index %d\n", e.Index)
	for d := nb201.CIFAR10; d <= nb201.ImageNet16; d++ {
		fmt.Printf("%-10s %.3f%% (rank %d)\n", d, e.Accuracy[d], e.Rank[d])
	}
	fmt.Println("params:", nb201.New().ParamCount(arch))
	// Output:
	// index 6111
	// cifar10    94.373% (rank 1)
	// cifar100   73.220% (rank 3)
	// imagenet16 46.711% (rank 8)
	// params: 1073466
}

// Configure the space GAEA searches (no `none` op, C=24) and discretise architecture weights.
func ExampleNew() {
	s := nb201.New().Channels(24).Cells(5).Classes(10).WithNone(false)
	fmt.Println(s, s.Ops())
	theta := [][]float64{ // one row per edge 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2, columns in s.Ops() order
		{0.1, 0.1, 0.7, 0.1},
		{0.1, 0.1, 0.7, 0.1},
		{0.2, 0.1, 0.6, 0.1},
		{0.5, 0.2, 0.2, 0.1},
		{0.1, 0.1, 0.7, 0.1},
		{0.1, 0.4, 0.3, 0.2},
	}
	arch, err := s.DiscretizeArch(theta)
	if err != nil {
		panic(err)
	}
	fmt.Println(arch, arch.Index())
	// Output:
	// nb201(C=24, N=5, classes=10, ops=4) [skip_connect nor_conv_1x1 nor_conv_3x3 avg_pool_3x3]
	// |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2| 6111
}
