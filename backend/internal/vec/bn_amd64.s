//go:build !purego

// Batch-norm loops over channels-last rows of C channels (C a multiple of 8), each channel's
// arithmetic the scalar Go expression's, operand for operand (no fused multiply-add: Go does not fuse
// on amd64), so the results are bit-identical to kernels/batchnorm.go's loops.

#include "textflag.h"

// func affine8(x, out *float32, rows, c int, m, k1, k0 *float32)
// out[r,j] = k1[j]·(x[r,j] − m[j]) + k0[j]
TEXT ·affine8(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ rows+16(FP), CX
	MOVQ c+24(FP), R12
	SHLQ $2, R12
	MOVQ m+32(FP), R9
	MOVQ k1+40(FP), R10
	MOVQ k0+48(FP), R11
	TESTQ CX, CX
	JZ affine8_done
affine8_row:
	XORQ AX, AX
affine8_chunk:
	VMOVUPS (SI)(AX*1), Y0
	VSUBPS (R9)(AX*1), Y0, Y0
	VMOVUPS (R10)(AX*1), Y1
	VMULPS Y0, Y1, Y0
	VADDPS (R11)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R12
	JB affine8_chunk
	ADDQ R12, SI
	ADDQ R12, DI
	DECQ CX
	JNZ affine8_row
affine8_done:
	VZEROUPPER
	RET

// func affineGrad8(x, gr, out *float32, rows, c int, m, k1, k0, k2 *float32)
// out[r,j] = k1[j]·(x[r,j] − m[j]) + k2[j]·g[r,j] + k0[j]
TEXT ·affineGrad8(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ gr+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ rows+24(FP), CX
	MOVQ c+32(FP), R12
	SHLQ $2, R12
	MOVQ m+40(FP), R9
	MOVQ k1+48(FP), R10
	MOVQ k0+56(FP), R11
	MOVQ k2+64(FP), R13
	TESTQ CX, CX
	JZ affineGrad8_done
affineGrad8_row:
	XORQ AX, AX
affineGrad8_chunk:
	VMOVUPS (SI)(AX*1), Y0
	VSUBPS (R9)(AX*1), Y0, Y0
	VMOVUPS (R10)(AX*1), Y1
	VMULPS Y0, Y1, Y0
	VMOVUPS (R13)(AX*1), Y2
	VMULPS (DX)(AX*1), Y2, Y2
	VADDPS Y2, Y0, Y0
	VADDPS (R11)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R12
	JB affineGrad8_chunk
	ADDQ R12, SI
	ADDQ R12, DX
	ADDQ R12, DI
	DECQ CX
	JNZ affineGrad8_row
affineGrad8_done:
	VZEROUPPER
	RET

// func sumShifted8(x *float32, rows, stride int, sh, a1, a2 *float64)
// for each of 8 channels j, over rows r in order: d = float64(x[r·stride+j]) − sh[j]; a1[j] += d; a2[j] += d·d
TEXT ·sumShifted8(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ rows+8(FP), CX
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ sh+24(FP), R9
	MOVQ a1+32(FP), R10
	MOVQ a2+40(FP), R11
	VMOVUPD (R9), Y4
	VMOVUPD 32(R9), Y5
	VMOVUPD (R10), Y0
	VMOVUPD 32(R10), Y1
	VMOVUPD (R11), Y2
	VMOVUPD 32(R11), Y3
	TESTQ CX, CX
	JZ sumShifted8_store
sumShifted8_loop:
	VCVTPS2PD (SI), Y6
	VCVTPS2PD 16(SI), Y7
	VSUBPD Y4, Y6, Y6
	VSUBPD Y5, Y7, Y7
	VADDPD Y6, Y0, Y0
	VADDPD Y7, Y1, Y1
	VMULPD Y6, Y6, Y8
	VMULPD Y7, Y7, Y9
	VADDPD Y8, Y2, Y2
	VADDPD Y9, Y3, Y3
	ADDQ R8, SI
	DECQ CX
	JNZ sumShifted8_loop
sumShifted8_store:
	VMOVUPD Y0, (R10)
	VMOVUPD Y1, 32(R10)
	VMOVUPD Y2, (R11)
	VMOVUPD Y3, 32(R11)
	VZEROUPPER
	RET

// func sumGrad8(x, gr *float32, rows, stride int, sh, a1, a2 *float64)
// for each of 8 channels j, over rows r in order: gv = float64(g[r·stride+j]); a1[j] += gv;
// a2[j] += gv·(float64(x[r·stride+j]) − sh[j])
TEXT ·sumGrad8(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ gr+8(FP), DX
	MOVQ rows+16(FP), CX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ sh+32(FP), R9
	MOVQ a1+40(FP), R10
	MOVQ a2+48(FP), R11
	VMOVUPD (R9), Y4
	VMOVUPD 32(R9), Y5
	VMOVUPD (R10), Y0
	VMOVUPD 32(R10), Y1
	VMOVUPD (R11), Y2
	VMOVUPD 32(R11), Y3
	TESTQ CX, CX
	JZ sumGrad8_store
sumGrad8_loop:
	VCVTPS2PD (DX), Y6
	VCVTPS2PD 16(DX), Y7
	VADDPD Y6, Y0, Y0
	VADDPD Y7, Y1, Y1
	VCVTPS2PD (SI), Y8
	VCVTPS2PD 16(SI), Y9
	VSUBPD Y4, Y8, Y8
	VSUBPD Y5, Y9, Y9
	VMULPD Y8, Y6, Y8
	VMULPD Y9, Y7, Y9
	VADDPD Y8, Y2, Y2
	VADDPD Y9, Y3, Y3
	ADDQ R8, SI
	ADDQ R8, DX
	DECQ CX
	JNZ sumGrad8_loop
sumGrad8_store:
	VMOVUPD Y0, (R10)
	VMOVUPD Y1, 32(R10)
	VMOVUPD Y2, (R11)
	VMOVUPD Y3, 32(R11)
	VZEROUPPER
	RET
