//go:build !amd64 || purego

package vec

const useAsm = false

func vvAsm(Op, *float32, *float32, *float32, int) {}
func vsAsm(Op, *float32, *float32, float32, int)  {}
func svAsm(Op, *float32, float32, *float32, int)  {}
func reluMulVV(*float32, *float32, *float32, int) {}
