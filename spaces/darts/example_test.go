package darts_test

import (
	"fmt"

	"github.com/gaeanas/gaeanas/spaces/darts"
)

// Parse a genotype as the PyTorch code prints it, count the parameters of its CIFAR-10 network, and
// discretise architecture weights.
func Example() {
	g, err := darts.ParseGenotype("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])")
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Equal(darts.DARTS_V2))
	net := darts.NewNetwork(g) // NetworkCIFAR: C = 36, 20 cells, 10 classes
	fmt.Println(net.ParamCount(), net.Auxiliary(true).ParamCount())

	// θ: 28 edges × 8 ops, here uniform except for two edges of the normal cell.
	space := darts.New()
	theta := make([][]float64, len(space.Edges()))
	for e := range theta {
		theta[e] = []float64{0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125}
	}
	theta[1] = []float64{0.3, 0.1, 0.1, 0.1, 0.1, 0.2, 0.05, 0.05} // normal 2<-1: none is ignored, sep_conv_5x5 wins
	theta[4] = []float64{0.1, 0.1, 0.1, 0.4, 0.1, 0.1, 0.05, 0.05} // normal 3<-2: skip_connect
	geno, err := space.Discretize(theta, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(geno)
	// Output:
	// true
	// 3349342 3825768
	// Genotype(normal=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))
}
