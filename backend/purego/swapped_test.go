package purego

import "testing"

// TestSwappedPath reruns the forward, gradient and robustness tests with every eligible convolution
// computed by convolveSwapped, so that its result is checked on all their configurations.
func TestSwappedPath(t *testing.T) {
	forceSwapped = true
	defer func() { forceSwapped = false }()
	t.Run("forward", TestConvForward)
	t.Run("axes", TestConvGeneralAxes)
	t.Run("gradient", TestConvGradients)
	t.Run("tiny-network", TestTinyNetworkGradient)
	t.Run("random", TestRobustRandomConvs)
	t.Run("robust", TestRobustConvGeneralParams)
}
