package purego

import (
	"fmt"

	"github.com/gaeanas/gaeanas/backend/internal/kernels"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/dtypes/bfloat16"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// This file wires the ops that purego runs with its own Go kernels (package kernels and conv.go).

// flatOf returns the flat data of a buffer as []T.
func flatOf[T any](be *Backend, buf backends.Buffer) ([]T, error) {
	data, err := be.BufferData(buf)
	if err != nil {
		return nil, err
	}
	flat, ok := data.([]T)
	if !ok {
		var zero T
		return nil, fmt.Errorf("buffer holds %T, expected []%T", data, zero)
	}
	return flat, nil
}

// newBuffer allocates an output buffer of the given shape and returns it with its flat data.
func newBuffer[T any](be *Backend, shape shapes.Shape) (backends.Buffer, []T, error) {
	buf, data, err := be.NewSharedBuffer(0, shape)
	if err != nil {
		return nil, nil, err
	}
	flat, ok := data.([]T)
	if !ok {
		return nil, nil, fmt.Errorf("new buffer holds %T for shape %s", data, shape)
	}
	return buf, flat, nil
}

func shapeOf(b *Builder, op backends.Op) (shapes.Shape, error) {
	return b.OpShape(op)
}

// ---- Pad ----------------------------------------------------------------------------------------

// Pad implements backends.Builder with a Go kernel (simplego has none).
func (b *Builder) Pad(x, fillValue backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	xs, err := shapeOf(b, x)
	if err != nil {
		return nil, err
	}
	fs, err := shapeOf(b, fillValue)
	if err != nil {
		return nil, err
	}
	if fs.Rank() != 0 || fs.DType != xs.DType {
		return nil, fmt.Errorf("purego: Pad: fill value must be a scalar of %s, got %s", xs.DType, fs)
	}
	if len(axesConfig) > xs.Rank() {
		return nil, fmt.Errorf("purego: Pad: %d axes configured for a rank-%d operand", len(axesConfig), xs.Rank())
	}
	for i, p := range axesConfig {
		if p.Interior < 0 {
			return nil, fmt.Errorf("purego: Pad: negative interior padding %d on axis %d", p.Interior, i)
		}
	}
	for i, p := range axesConfig {
		d := xs.Dimensions[i]
		n := d + p.Start + p.End
		if d > 0 {
			n += p.Interior * (d - 1)
		}
		if n < 0 {
			return nil, fmt.Errorf("purego: Pad: axis %d of %s would have negative size %d", i, xs, n)
		}
	}
	outDims := kernels.PadDims(xs.Dimensions, axesConfig)
	outShape := shapes.Make(xs.DType, outDims...)
	cfg := append([]backends.PadAxis(nil), axesConfig...)
	dims := xs.Dimensions
	return b.custom1("Pad", []backends.Op{x, fillValue}, outShape, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		return anyDType(be, xs.DType, outShape, in, func(bufs []any, out any) error {
			return padTyped(bufs[0], bufs[1], dims, cfg, out)
		})
	})
}

func padTyped(x, fill any, dims []int, cfg []backends.PadAxis, out any) error {
	switch x := x.(type) {
	case []float32:
		kernels.Pad(x, dims, fill.([]float32)[0], cfg, out.([]float32))
	case []float64:
		kernels.Pad(x, dims, fill.([]float64)[0], cfg, out.([]float64))
	case []int32:
		kernels.Pad(x, dims, fill.([]int32)[0], cfg, out.([]int32))
	case []int64:
		kernels.Pad(x, dims, fill.([]int64)[0], cfg, out.([]int64))
	case []int8:
		kernels.Pad(x, dims, fill.([]int8)[0], cfg, out.([]int8))
	case []int16:
		kernels.Pad(x, dims, fill.([]int16)[0], cfg, out.([]int16))
	case []uint8:
		kernels.Pad(x, dims, fill.([]uint8)[0], cfg, out.([]uint8))
	case []uint16:
		kernels.Pad(x, dims, fill.([]uint16)[0], cfg, out.([]uint16))
	case []uint32:
		kernels.Pad(x, dims, fill.([]uint32)[0], cfg, out.([]uint32))
	case []uint64:
		kernels.Pad(x, dims, fill.([]uint64)[0], cfg, out.([]uint64))
	case []bool:
		kernels.Pad(x, dims, fill.([]bool)[0], cfg, out.([]bool))
	case []bfloat16.BFloat16:
		kernels.Pad(x, dims, fill.([]bfloat16.BFloat16)[0], cfg, out.([]bfloat16.BFloat16))
	default:
		return fmt.Errorf("dtype %T not supported", x)
	}
	return nil
}

// anyDType fetches the flat data of the inputs, allocates one output and calls f.
func anyDType(be *Backend, dtype dtypes.DType, outShape shapes.Shape, in []backends.Buffer,
	f func(flats []any, out any) error) ([]backends.Buffer, error) {
	flats := make([]any, len(in))
	for i, buf := range in {
		data, err := be.BufferData(buf)
		if err != nil {
			return nil, err
		}
		flats[i] = data
	}
	outBuf, out, err := be.NewSharedBuffer(0, outShape)
	if err != nil {
		return nil, err
	}
	if err := f(flats, out); err != nil {
		return nil, err
	}
	return []backends.Buffer{outBuf}, nil
}

// ---- Reverse ------------------------------------------------------------------------------------

// Reverse implements backends.Builder with a Go kernel (simplego has none).
func (b *Builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	xs, err := shapeOf(b, x)
	if err != nil {
		return nil, err
	}
	for _, a := range axes {
		if a < 0 || a >= xs.Rank() {
			return nil, fmt.Errorf("purego: Reverse: axis %d out of range for %s", a, xs)
		}
	}
	axes = append([]int(nil), axes...)
	dims := xs.Dimensions
	return b.custom1("Reverse", []backends.Op{x}, xs, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		return anyDType(be, xs.DType, xs, in, func(flats []any, out any) error {
			switch x := flats[0].(type) {
			case []float32:
				kernels.Reverse(x, dims, axes, out.([]float32))
			case []float64:
				kernels.Reverse(x, dims, axes, out.([]float64))
			case []int32:
				kernels.Reverse(x, dims, axes, out.([]int32))
			case []int64:
				kernels.Reverse(x, dims, axes, out.([]int64))
			case []uint8:
				kernels.Reverse(x, dims, axes, out.([]uint8))
			case []bool:
				kernels.Reverse(x, dims, axes, out.([]bool))
			case []bfloat16.BFloat16:
				kernels.Reverse(x, dims, axes, out.([]bfloat16.BFloat16))
			default:
				return fmt.Errorf("dtype %s not supported", xs.DType)
			}
			return nil
		})
	})
}

// ---- Batch normalisation ------------------------------------------------------------------------

func bnCheck(opName string, xs shapes.Shape, featureAxis int, others ...shapes.Shape) error {
	if !floatDType(xs.DType) {
		return fmt.Errorf("purego: %s: dtype %s not supported (float32, float64)", opName, xs.DType)
	}
	if featureAxis < 0 || featureAxis >= xs.Rank() {
		return fmt.Errorf("purego: %s: feature axis %d out of range for %s", opName, featureAxis, xs)
	}
	c := xs.Dimensions[featureAxis]
	for i, s := range others {
		if s.DType != xs.DType || s.Rank() != 1 || s.Dimensions[0] != c {
			return fmt.Errorf("purego: %s: parameter #%d has shape %s, expected (%s)[%d]", opName, i+1, s, xs.DType, c)
		}
	}
	return nil
}

func shapesOf(b *Builder, ops ...backends.Op) ([]shapes.Shape, error) {
	res := make([]shapes.Shape, len(ops))
	for i, op := range ops {
		s, err := b.OpShape(op)
		if err != nil {
			return nil, err
		}
		res[i] = s
	}
	return res, nil
}

// BatchNormForTraining implements backends.Builder with a Go kernel.
func (b *Builder) BatchNormForTraining(operand, scale, offset backends.Op, epsilon float32, featureAxis int) (
	normalized, batchMean, batchVariance backends.Op, err error) {
	ss, err := shapesOf(b, operand, scale, offset)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := bnCheck("BatchNormForTraining", ss[0], featureAxis, ss[1:]...); err != nil {
		return nil, nil, nil, err
	}
	xs, vs := ss[0], ss[1]
	outs, err := b.addCustom("BatchNormForTraining", []backends.Op{operand, scale, offset}, []shapes.Shape{xs, vs, vs},
		func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
			if xs.DType == dtypes.Float32 {
				return bnTraining[float32](be, in, xs, vs, epsilon, featureAxis)
			}
			return bnTraining[float64](be, in, xs, vs, epsilon, featureAxis)
		})
	if err != nil {
		return nil, nil, nil, err
	}
	return outs[0], outs[1], outs[2], nil
}

func flats[T any](be *Backend, in []backends.Buffer) ([][]T, error) {
	res := make([][]T, len(in))
	for i, buf := range in {
		f, err := flatOf[T](be, buf)
		if err != nil {
			return nil, err
		}
		res[i] = f
	}
	return res, nil
}

func newBuffers[T any](be *Backend, ss ...shapes.Shape) ([]backends.Buffer, [][]T, error) {
	bufs := make([]backends.Buffer, len(ss))
	fs := make([][]T, len(ss))
	for i, s := range ss {
		var err error
		if bufs[i], fs[i], err = newBuffer[T](be, s); err != nil {
			return nil, nil, err
		}
	}
	return bufs, fs, nil
}

func bnTraining[T float32 | float64](be *Backend, in []backends.Buffer, xs, vs shapes.Shape, eps float32, axis int) ([]backends.Buffer, error) {
	f, err := flats[T](be, in)
	if err != nil {
		return nil, err
	}
	bufs, out, err := newBuffers[T](be, xs, vs, vs)
	if err != nil {
		return nil, err
	}
	kernels.BatchNormTraining(f[0], xs.Dimensions, f[1], f[2], eps, axis, out[0], out[1], out[2])
	return bufs, nil
}

// BatchNormForInference implements backends.Builder with a Go kernel.
func (b *Builder) BatchNormForInference(operand, scale, offset, mean, variance backends.Op, epsilon float32, featureAxis int) (backends.Op, error) {
	ss, err := shapesOf(b, operand, scale, offset, mean, variance)
	if err != nil {
		return nil, err
	}
	if err := bnCheck("BatchNormForInference", ss[0], featureAxis, ss[1:]...); err != nil {
		return nil, err
	}
	xs := ss[0]
	return b.custom1("BatchNormForInference", []backends.Op{operand, scale, offset, mean, variance}, xs,
		func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
			if xs.DType == dtypes.Float32 {
				return bnInference[float32](be, in, xs, epsilon, featureAxis)
			}
			return bnInference[float64](be, in, xs, epsilon, featureAxis)
		})
}

func bnInference[T float32 | float64](be *Backend, in []backends.Buffer, xs shapes.Shape, eps float32, axis int) ([]backends.Buffer, error) {
	f, err := flats[T](be, in)
	if err != nil {
		return nil, err
	}
	bufs, out, err := newBuffers[T](be, xs)
	if err != nil {
		return nil, err
	}
	kernels.BatchNormInference(f[0], xs.Dimensions, f[1], f[2], f[3], f[4], eps, axis, out[0])
	return bufs, nil
}

// BatchNormGradient implements backends.Builder with a Go kernel.
func (b *Builder) BatchNormGradient(operand, scale, mean, variance, gradOutput backends.Op, epsilon float32, featureAxis int) (
	gradOperand, gradScale, gradOffset backends.Op, err error) {
	ss, err := shapesOf(b, operand, scale, mean, variance, gradOutput)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := bnCheck("BatchNormGradient", ss[0], featureAxis, ss[1:4]...); err != nil {
		return nil, nil, nil, err
	}
	xs, vs := ss[0], ss[1]
	if !ss[4].Equal(xs) {
		return nil, nil, nil, fmt.Errorf("purego: BatchNormGradient: gradient shape %s differs from operand %s", ss[4], xs)
	}
	outs, err := b.addCustom("BatchNormGradient", []backends.Op{operand, scale, mean, variance, gradOutput}, []shapes.Shape{xs, vs, vs},
		func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
			if xs.DType == dtypes.Float32 {
				return bnGradient[float32](be, in, xs, vs, epsilon, featureAxis)
			}
			return bnGradient[float64](be, in, xs, vs, epsilon, featureAxis)
		})
	if err != nil {
		return nil, nil, nil, err
	}
	return outs[0], outs[1], outs[2], nil
}

func bnGradient[T float32 | float64](be *Backend, in []backends.Buffer, xs, vs shapes.Shape, eps float32, axis int) ([]backends.Buffer, error) {
	f, err := flats[T](be, in)
	if err != nil {
		return nil, err
	}
	bufs, out, err := newBuffers[T](be, xs, vs, vs)
	if err != nil {
		return nil, err
	}
	kernels.BatchNormGradient(f[0], xs.Dimensions, f[1], f[2], f[3], f[4], eps, axis, out[0], out[1], out[2])
	return bufs, nil
}

// ---- Pooling ------------------------------------------------------------------------------------

// ReduceWindow implements backends.Builder: a Go kernel for float32/float64, simplego otherwise.
func (b *Builder) ReduceWindow(x backends.Op, reductionType backends.ReduceOpType,
	windowDimensions, strides, baseDilations, windowDilations []int, paddings [][2]int) (backends.Op, error) {
	xs, err := shapeOf(b, x)
	if err != nil {
		return nil, err
	}
	outShape, err := shapeinference.ReduceWindowOp(xs, windowDimensions, strides, baseDilations, windowDilations, paddings)
	if err != nil {
		return nil, err
	}
	if !floatDType(xs.DType) {
		outs, err := b.native("ReduceWindow", []backends.Op{x}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
			op, err := ib.ReduceWindow(in[0], reductionType, windowDimensions, strides, baseDilations, windowDilations, paddings)
			return []backends.Op{op}, err
		})
		if err != nil {
			return nil, err
		}
		return outs[0], nil
	}
	switch reductionType {
	case backends.ReduceOpSum, backends.ReduceOpMax, backends.ReduceOpMin, backends.ReduceOpProduct:
	default:
		return nil, fmt.Errorf("purego: ReduceWindow: reduction %s not supported", reductionType)
	}
	window, str, bd, wd, pads := cloneInts(windowDimensions), cloneInts(strides), cloneInts(baseDilations), cloneInts(windowDilations), clonePairs(paddings)
	return b.custom1("ReduceWindow", []backends.Op{x}, outShape, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if xs.DType == dtypes.Float32 {
			return reduceWindow[float32](be, in, xs, outShape, reductionType, window, str, bd, wd, pads)
		}
		return reduceWindow[float64](be, in, xs, outShape, reductionType, window, str, bd, wd, pads)
	})
}

func reduceWindow[T float32 | float64](be *Backend, in []backends.Buffer, xs, outShape shapes.Shape, op backends.ReduceOpType,
	window, strides, bd, wd []int, pads [][2]int) ([]backends.Buffer, error) {
	f, err := flats[T](be, in)
	if err != nil {
		return nil, err
	}
	bufs, out, err := newBuffers[T](be, outShape)
	if err != nil {
		return nil, err
	}
	kernels.ReduceWindow(f[0], xs.Dimensions, op, window, strides, bd, wd, pads, out[0])
	return bufs, nil
}

// SelectAndScatterMax implements backends.Builder with a Go kernel (the max-pool gradient).
func (b *Builder) SelectAndScatterMax(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter("SelectAndScatterMax", true, operand, source, windowDimensions, windowStrides, paddings)
}

// SelectAndScatterMin implements backends.Builder with a Go kernel (the min-pool gradient).
func (b *Builder) SelectAndScatterMin(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter("SelectAndScatterMin", false, operand, source, windowDimensions, windowStrides, paddings)
}

func (b *Builder) selectAndScatter(opName string, isMax bool, operand, source backends.Op, window, strides []int, paddings [][2]int) (backends.Op, error) {
	ss, err := shapesOf(b, operand, source)
	if err != nil {
		return nil, err
	}
	xs := ss[0]
	if !floatDType(xs.DType) {
		return nil, fmt.Errorf("purego: %s: dtype %s not supported (float32, float64)", opName, xs.DType)
	}
	want, err := shapeinference.ReduceWindowOp(xs, window, strides, nil, nil, paddings)
	if err != nil {
		return nil, fmt.Errorf("purego: %s: %w", opName, err)
	}
	if !want.Equal(ss[1]) {
		return nil, fmt.Errorf("purego: %s: source shape %s, expected %s", opName, ss[1], want)
	}
	window, strides, pads := cloneInts(window), cloneInts(strides), clonePairs(paddings)
	return b.custom1(opName, []backends.Op{operand, source}, xs, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if xs.DType == dtypes.Float32 {
			return selectScatter[float32](be, in, xs, window, strides, pads, isMax)
		}
		return selectScatter[float64](be, in, xs, window, strides, pads, isMax)
	})
}

func selectScatter[T float32 | float64](be *Backend, in []backends.Buffer, xs shapes.Shape, window, strides []int, pads [][2]int, isMax bool) ([]backends.Buffer, error) {
	f, err := flats[T](be, in)
	if err != nil {
		return nil, err
	}
	bufs, out, err := newBuffers[T](be, xs)
	if err != nil {
		return nil, err
	}
	kernels.SelectAndScatter(f[0], xs.Dimensions, f[1], window, strides, pads, isMax, out[0])
	return bufs, nil
}

func cloneInts(s []int) []int {
	if s == nil {
		return nil
	}
	return append([]int(nil), s...)
}

func clonePairs(s [][2]int) [][2]int {
	if s == nil {
		return nil
	}
	return append([][2]int(nil), s...)
}
