// Package purego is gaeanas's pure-Go GoMLX backend: GoMLX's simplego backend, completed with the ops
// that training convolutional networks needs and made fast where training spends its time.
//
// simplego (GoMLX v0.26.0) lacks Pad, Reverse, the BatchNorm ops and SelectAndScatter (the max-pool
// gradient), crashes on convolutions without explicit strides, and runs convolutions in one
// single-threaded loop. purego keeps simplego for everything it does well and runs these ops with its
// own multi-core kernels (convolution as im2col + blocked GEMM):
//
//   - ConvGeneral (any axes layout, strides, padding, input and kernel dilation, channel and batch groups)
//   - Pad (start/end, negative, interior), Reverse
//   - BatchNormForTraining, BatchNormForInference, BatchNormGradient
//   - ReduceWindow (sum, max, min, product pooling), SelectAndScatterMax/Min
//   - Sign (ReLU's gradient mask), and for large float tensors: Add/Sub/Mul/Div/Max/Min whose operands
//     are equal in shape, differ by broadcast axes (a conv bias, the average pool's counts) or are one a
//     scalar (the mixed op's θ_k·out_k; GoMLX's activations.Relu, Max(x, 0)), BroadcastInDim repeats,
//     ReduceSum over one block of axes, Transpose and unit-stride Slice, bit-identical to simplego's
//     (broadcast.go, layout.go; a NaN result may carry another NaN's payload)
//
// The float32 element-wise loops of these kernels (binary ops, sign, the ReLU mask product, batch norm's
// normalisation and statistics, window sums, the depthwise convolution's taps, im2col's copies) run in
// AVX assembly where the CPU has AVX2 (backend/internal/vec), each element computed by the same IEEE
// operations in the same order as the Go loops, so the results do not depend on the CPU's vector width.
//
// simplego's own ops run one after another within a stage ("ops_sequential"; see NewWithConfig for the
// deadlock of GoMLX v0.26.0's parallel scheduler); each op still splits its work over the cores.
//
// At build time, four rewrites save passes without changing a bit (rewrite.go): Identity is its operand;
// a binary op whose operand is a BroadcastInDim that only repeats a smaller tensor reads that tensor;
// spaces.ReLU's mask product a·ConvertDType(x > 0) is one pass; and so is the mask of GoMLX's Max
// gradient (activations.Relu's), a·Sign(Sign(x − 0) + 1), five passes before.
//
// Convolutions with one channel per group (depthwise) run as a direct loop, and the kernel gradient of
// such a convolution as row products over all channels at once (conv_dwgrad.go; its sums run in another
// order than im2col + GEMM's, within the error bound its test states). 2-D convolutions with unit
// strides read their kernel windows straight from the padded image (conv_segments.go, gemm.SegmentsB:
// im2col + GEMM's bits, without the patch matrix). The others run as im2col and the GEMM of
// backend/internal/gemm, whose micro-kernel is chosen at run time (AVX-512, AVX2+FMA, Go; a narrow and
// a wide one per level, picked by the number of output channels).
//
// How: the Builder assigns each op a stage. Ops simplego implements are built into the simplego graph of
// their stage; an op with a Go kernel ("custom op") ends its stage, and ops that consume its result go to
// the next one. Compile compiles one simplego executable per stage; Execute runs stage 0, then the custom
// ops whose inputs it produced, then stage 1, and so on, passing buffers (simplego's own, so no copies)
// between them and releasing each intermediate buffer after its last use.
//
// The backend registers itself under the name "go" (replacing plain simplego), so GOMLX_BACKEND=go selects it.
package purego

//go:generate go run ./internal/genops

import (
	"strings"

	"github.com/gaeanas/gaeanas/backend/internal/gemm"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// BackendName is the name purego registers under in GoMLX.
const BackendName = "go"

func init() {
	backends.Register(BackendName, func(config string) (backends.Backend, error) { return NewWithConfig(config) })
}

// Backend is the purego backend. Buffers are simplego's.
type Backend struct {
	*simplego.Backend
	caps backends.Capabilities
}

var _ backends.Backend = (*Backend)(nil)

// New returns a new purego backend.
func New() *Backend {
	b, err := NewWithConfig("")
	if err != nil {
		panic(err)
	}
	return b
}

// NewWithConfig returns a new purego backend; config is passed on to simplego (e.g. "parallelism=4").
//
// simplego's stages run their ops one after another ("ops_sequential") unless config says
// "ops_parallel". GoMLX v0.26.0's parallel op scheduler deadlocks: it runs each ready op on a worker of
// a pool of 2 × NumCPU, and a batched DotGeneral (or a large Erf) on a worker waits for more workers of
// the same pool to split its batch (simplego dotgeneral_small.go:191, dotgeneral_large.go:384,
// exec_unary.go:796). When the pool is full of such ops, none can start its parts and none ends
// (TestNoDeadlockOnManyBatchedDots). Run sequentially, each op still splits its own work over the
// pool, and the ops that cost the most (convolutions, batch norm, pooling) are purego's own kernels.
func NewWithConfig(config string) (*Backend, error) {
	if !strings.Contains(config, "ops_parallel") && !strings.Contains(config, "ops_sequential") {
		config = strings.TrimPrefix(config+",ops_sequential", ",")
	}
	inner, err := simplego.New(config)
	if err != nil {
		return nil, err
	}
	caps := simplego.Capabilities.Clone()
	for _, op := range []backends.OpType{
		backends.OpTypeConvGeneral, backends.OpTypePad, backends.OpTypeReverse,
		backends.OpTypeBatchNormForTraining, backends.OpTypeBatchNormForInference, backends.OpTypeBatchNormGradient,
		backends.OpTypeReduceWindow, backends.OpTypeSelectAndScatterMax, backends.OpTypeSelectAndScatterMin,
	} {
		caps.Operations[op] = true
	}
	return &Backend{Backend: inner.(*simplego.Backend), caps: caps}, nil
}

// Name implements backends.Backend.
func (b *Backend) Name() string { return BackendName }

// String implements backends.Backend.
func (b *Backend) String() string { return BackendName }

// Description implements backends.Backend.
func (b *Backend) Description() string {
	return "gaeanas pure Go (simplego + multi-core conv, pooling, batch-norm, broadcast and reduction kernels)"
}

// Capabilities implements backends.Backend.
func (b *Backend) Capabilities() backends.Capabilities { return b.caps }

// Builder implements backends.Backend.
func (b *Backend) Builder(name string) backends.Builder {
	return newBuilder(b, name)
}

// floatDType reports whether dtype is one the Go kernels handle.
func floatDType(dtype dtypes.DType) bool {
	return dtype == dtypes.Float32 || dtype == dtypes.Float64
}

// GEMMKernels returns the GEMM micro-kernel levels this CPU runs, the best last: "purego" (portable Go,
// multiply then add), and on amd64 "avx2" (AVX2+FMA) and "avx512" where the CPU has them. Results differ
// between levels in the last bits (fused multiply-add, other summation blocks).
func GEMMKernels() []string { return gemm.Levels() }

// GEMMKernel returns the level in use: the best one, or the one the environment variable
// GAEA_GEMM_KERNEL named at start-up.
func GEMMKernel() string { return gemm.Level() }

// SetGEMMKernel selects the GEMM micro-kernel level (one of GEMMKernels) for the whole process; call it
// between executions, not while a computation runs. Tests use it to run a check at every level.
func SetGEMMKernel(name string) error { return gemm.SetLevel(name) }
