//go:build !amd64 || purego

package vec

const useAsm = false

func vvAsm(Op, *float32, *float32, *float32, int)   {}
func vsAsm(Op, *float32, *float32, float32, int)    {}
func svAsm(Op, *float32, float32, *float32, int)    {}
func reluMulVV(*float32, *float32, *float32, int)   {}
func nonNegMulVV(*float32, *float32, *float32, int) {}
func signV(*float32, *float32, int)                 {}

func affine8(*float32, *float32, int, int, *float32, *float32, *float32)                         {}
func affineGrad8(*float32, *float32, *float32, int, int, *float32, *float32, *float32, *float32) {}
func sumShifted8(*float32, int, int, *float64, *float64, *float64)                               {}
func sumGrad8(*float32, *float32, int, int, *float64, *float64, *float64)                        {}

func mulAddVV(*float32, *float32, *float32, int) {}

func copyRows8(*float32, int, *float32, int, int, int) {}
