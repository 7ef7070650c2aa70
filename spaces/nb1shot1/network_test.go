package nb1shot1

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// TestSpaceNetwork: the discrete network of a cell (NAS-Bench-101's, stem 128, 3×3 modules) has the
// dataset's trainable_parameters for the published cells of spaces 2 and 3, also by ParamCount.
func TestSpaceNetwork(t *testing.T) {
	cases := []struct {
		space  int
		cell   string
		params int
	}{
		{2, "1:conv1x1-bn-relu(0) 2:conv1x1-bn-relu(0) 3:conv3x3-bn-relu(0,1) 4:conv3x3-bn-relu(1,2) out(0,3,4)", datasetModules[0].params},
		{3, "1:conv1x1-bn-relu(0) 2:maxpool3x3(1) 3:conv3x3-bn-relu(1) 4:maxpool3x3(2,3) 5:conv1x1-bn-relu(2,4) out(4,5)", datasetModules[1].params},
		{3, "1:maxpool3x3(0) 2:maxpool3x3(1) 3:conv1x1-bn-relu(2) 4:maxpool3x3(0,3) 5:conv3x3-bn-relu(3,4) out(4,5)", datasetModules[2].params},
	}
	for _, c := range cases {
		s := New(c.space)
		cell := mustCell(s, c.cell)
		ctx := context.New()
		g := graph.NewGraph(testBackend(t), "net")
		out := s.Network(ctx, graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 2, 32, 32, 3)), cell)
		if n := trainableParams(ctx); n != c.params || fmt.Sprint(out.Shape().Dimensions) != "[2 10]" {
			t.Errorf("space %d %s: %d trainable values, logits %v; dataset %d", c.space, c.cell, n, out.Shape().Dimensions, c.params)
		}
		if n, err := s.ParamCount(cell, nb101.DefaultNetwork); err != nil || n != c.params {
			t.Errorf("space %d %s: ParamCount %d, %v", c.space, c.cell, n, err)
		}
	}
	msg := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		g := graph.NewGraph(testBackend(t), "net")
		New(1).Network(context.New(), graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 1, 8, 8, 3)), nil)
		return ""
	}()
	if !strings.Contains(msg, "needs an nb1shot1.Cell genotype") {
		t.Errorf("Network(nil): panic %q", msg)
	}
}
