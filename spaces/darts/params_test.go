package darts

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// mixedGenotype uses every op, `none` included, on input and intermediate edges, and a concat subset.
var mixedGenotype = MustParseGenotype("Genotype(normal=[('none', 0), ('dil_conv_5x5', 1), ('avg_pool_3x3', 0), ('sep_conv_5x5', 2), ('skip_connect', 1), ('dil_conv_3x3', 3), ('max_pool_3x3', 4), ('sep_conv_3x3', 0)], normal_concat=[2, 4, 5], reduce=[('dil_conv_5x5', 0), ('sep_conv_5x5', 1), ('skip_connect', 0), ('none', 1), ('dil_conv_3x3', 1), ('avg_pool_3x3', 3), ('sep_conv_3x3', 0), ('skip_connect', 4)], reduce_concat=range(2, 6))")

// thirdPartyGAEA is a genotype labelled "GAEA" in a third-party repository's genotype list (not in the GAEA
// reference repository, liamcli/gaea_release); kept only as one more test case. Its count (3.33 M) is not the 3.7 M the GAEA paper reports
// for its PC-DARTS cell, so it is not GAEA's published architecture.
var thirdPartyGAEA = MustParseGenotype("Genotype(normal=[('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 2), ('skip_connect', 2), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('dil_conv_3x3', 4)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_5x5', 2), ('sep_conv_5x5', 2), ('dil_conv_5x5', 1), ('sep_conv_5x5', 4), ('sep_conv_3x3', 1)], reduce_concat=range(2, 6))")

// referenceCounts are printed by testdata/reference_params.py (PyTorch 1.13, networks built from the
// reference definitions): parameters without and with the auxiliary head.
var referenceCounts = []struct {
	name                      string
	g                         *Genotype
	channels, layers, classes int
	imagenet                  bool
	noAux, withAux            int
}{
	{"DARTS_V1", DARTS_V1, 36, 20, 10, false, 3169414, 3645840},
	{"DARTS_V2", DARTS_V2, 36, 20, 10, false, 3349342, 3825768},
	{"PC_DARTS", PC_DARTS, 36, 20, 10, false, 3634678, 4111104},
	{"THIRD_PARTY_GAEA", thirdPartyGAEA, 36, 20, 10, false, 3331846, 3808272},
	{"MIXED", mixedGenotype, 36, 20, 10, false, 2443510, 2919936},
	{"DARTS_V2/100", DARTS_V2, 36, 20, 100, false, 3401272, 3946908},
	{"MIXED/16x8", mixedGenotype, 16, 8, 10, false, 224058, 659524},
	{"MIXED/8x5x7", mixedGenotype, 8, 5, 7, false, 42543, 459318},
	{"DARTS_V2/imagenet", DARTS_V2, 48, 14, 1000, true, 4718752, 5979528},
	{"PC_DARTS_IMAGENET", PC_DARTS_IMAGENET, 48, 14, 1000, true, 5342464, 6603240},
	{"MIXED/imagenet", mixedGenotype, 16, 6, 10, true, 149042, 582972},
}

func TestParamCountMatchesPyTorch(t *testing.T) {
	for _, c := range referenceCounts {
		cfg := NewNetwork(c.g).Channels(c.channels).Layers(c.layers).Classes(c.classes).ImageNet(c.imagenet)
		if got := cfg.ParamCount(); got != c.noAux {
			t.Errorf("%s: ParamCount = %d, PyTorch %d", c.name, got, c.noAux)
		}
		if got := cfg.Auxiliary(true).ParamCount(); got != c.withAux {
			t.Errorf("%s: ParamCount with auxiliary = %d, PyTorch %d", c.name, got, c.withAux)
		}
	}
}

// TestNetworkVariablesMatchParamCount builds the GoMLX networks (graph only) and counts their trainable
// variables.
func TestNetworkVariablesMatchParamCount(t *testing.T) {
	for _, c := range referenceCounts {
		for _, aux := range []bool{false, true} {
			cfg := NewNetwork(c.g).Channels(c.channels).Layers(c.layers).Classes(c.classes).ImageNet(c.imagenet).Auxiliary(aux)
			size := 32
			if c.imagenet {
				size = 224
			}
			ctx := context.New()
			out := buildOnly(t, ctx, shapes.Make(dtypes.Float32, 2, size, size, 3), func(ctx *context.Context, x *graph.Node) []*graph.Node {
				logits, auxLogits := cfg.Build(ctx, x)
				return []*graph.Node{logits, auxLogits}
			})
			want := c.noAux
			if aux {
				want = c.withAux
			}
			if got := trainableParams(ctx); got != want {
				t.Errorf("%s aux=%v: GoMLX network has %d trainable parameters, want %d", c.name, aux, got, want)
			}
			if aux && len(out) != 2 || !aux && len(out) != 1 {
				t.Fatalf("%s aux=%v: %d outputs", c.name, aux, len(out))
			}
			for _, s := range out {
				if !s.Equal(shapes.Make(dtypes.Float32, 2, c.classes)) {
					t.Errorf("%s aux=%v: output shape %s", c.name, aux, s)
				}
			}
		}
	}
}

func TestOpParamsByHand(t *testing.T) {
	c := 36
	for _, tc := range []struct {
		op     string
		stride int
		want   int
	}{
		{OpNone, 1, 0}, {OpMaxPool3x3, 2, 0}, {OpAvgPool3x3, 1, 0}, {OpSkipConnect, 1, 0},
		{OpSkipConnect, 2, 2*36*18 + 72},
		{OpSepConv3x3, 1, 2 * (9*36 + 36*36 + 72)}, {OpSepConv5x5, 2, 2 * (25*36 + 36*36 + 72)},
		{OpDilConv3x3, 1, 9*36 + 36*36 + 72}, {OpDilConv5x5, 2, 25*36 + 36*36 + 72},
	} {
		if got := OpParams(tc.op, c, tc.stride); got != tc.want {
			t.Errorf("OpParams(%s, %d, %d) = %d, want %d", tc.op, c, tc.stride, got, tc.want)
		}
	}
}
