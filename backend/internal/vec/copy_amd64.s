//go:build !purego

#include "textflag.h"

// func copyRows8(dst *float32, dstStride int, src *float32, srcStride, rows, width int)
// Copies rows runs of width floats (width a positive multiple of 8): run r from src + r·srcStride to
// dst + r·dstStride (strides in elements).
TEXT ·copyRows8(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), CX
	MOVQ width+40(FP), R10
	SHLQ $2, R10
	TESTQ CX, CX
	JZ copyRows8_done
copyRows8_row:
	XORQ AX, AX
copyRows8_chunk:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R10
	JB copyRows8_chunk
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ CX
	JNZ copyRows8_row
copyRows8_done:
	VZEROUPPER
	RET
