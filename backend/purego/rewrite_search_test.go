package purego

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The rewrites on the graphs of a real search iteration: an NB201 GAEA-DARTS step (architecture and
// weight step), built by gaea as `gaea search` builds it. The test asserts that each rewrite fires
// there, and logs what each removed (the figures of bench/RESULTS.md §2, round 2, come from the
// nb201-quick size: GAEA_TEST_LONG=1 go test ./backend/purego -run TestRewritesInNB201Search -v).

// countingBuilder is purego's Builder counting the Identity ops GoMLX asks for.
type countingBuilder struct {
	*Builder
	identities, identityElems int
}

func (b *countingBuilder) Identity(x backends.Op) (backends.Op, error) {
	if n, ok := x.(*node); ok && n != nil {
		b.identities++
		b.identityElems += n.shape.Size()
	}
	return b.Builder.Identity(x)
}

// countingBackend is purego handing out countingBuilders.
type countingBackend struct {
	*Backend
	builders []*countingBuilder
}

func (r *countingBackend) Builder(name string) backends.Builder {
	b := &countingBuilder{Builder: newBuilder(r.Backend, name)}
	r.builders = append(r.builders, b)
	return b
}

// rewriteCounts is what the rewrites did to one graph (elements: the tensors' sizes summed).
type rewriteCounts struct {
	identities, identityElems int // Identity ops returned as their operand
	folded, foldedElems       int // broadcasts that no longer run: each was a full-size pass and its read-back
	fused, fusedElems         int // ReLU mask products run as one pass a·[x > 0]
	deadMasks, deadMaskElems  int // GreaterThan(x, 0) and its ConvertDType that no longer run
	keptRepeats               int // broadcasts that only repeat a smaller tensor and still run
	keptBy                    map[string]int
}

// countRewrites counts what the rewrites did to b's graph. A broadcast or mask op no longer runs when
// nothing reads it but such ops that no longer run (none of them is a graph output).
func countRewrites(b *countingBuilder) rewriteCounts {
	c := rewriteCounts{identities: b.identities, identityElems: b.identityElems, keptBy: map[string]int{}}
	readers := map[*node][]*node{} // the first output of each op that reads the node
	for _, st := range b.stages {
		for _, call := range st.calls {
			for _, in := range call.inputs {
				readers[in] = append(readers[in], call.outputs[0])
			}
		}
		for _, cu := range st.customs {
			for _, in := range cu.inputs {
				readers[in] = append(readers[in], cu.outputs[0])
			}
			if cu.name == "ReLUMul" {
				c.fused++
				c.fusedElems += cu.outputs[0].shape.Size()
			}
		}
	}
	dead := map[*node]bool{}
	for i := len(b.nodes) - 1; i >= 0; i-- { // creation order is topological: readers come later
		n := b.nodes[i]
		if n.bcastSrc == nil && !isReLUMask(n) {
			continue
		}
		dead[n] = true
		for _, r := range readers[n] {
			dead[n] = dead[n] && dead[r]
		}
		switch {
		case dead[n] && n.bcastSrc != nil:
			c.folded++
			c.foldedElems += n.shape.Size()
		case dead[n]:
			c.deadMasks++
			c.deadMaskElems += n.shape.Size()
		case n.bcastSrc != nil:
			c.keptRepeats++
			for _, r := range readers[n] {
				c.keptBy[opName(r)]++
			}
		}
	}
	return c
}

func opName(n *node) string {
	switch {
	case n.call != nil:
		return n.call.name
	case n.custom != nil:
		return "purego " + n.custom.name
	}
	return "?"
}

// isReLUMask reports whether n is spaces.ReLU's comparison GreaterThan(x, 0) or its conversion.
func isReLUMask(n *node) bool {
	if n.call != nil && n.call.name == "GreaterThan" && n.call.outputs[0] == n {
		z := n.call.inputs[1]
		return z.isConst && z.constVal == 0
	}
	return reluMaskOf(n) != nil
}

func (c *rewriteCounts) add(o rewriteCounts) {
	c.identities += o.identities
	c.identityElems += o.identityElems
	c.folded += o.folded
	c.foldedElems += o.foldedElems
	c.fused += o.fused
	c.fusedElems += o.fusedElems
	c.deadMasks += o.deadMasks
	c.deadMaskElems += o.deadMaskElems
	c.keptRepeats += o.keptRepeats
	for k, v := range o.keptBy {
		c.keptBy[k] += v
	}
}

func (c rewriteCounts) String() string {
	return fmt.Sprintf("identities %d (%d elements), broadcasts folded %d (%d), mask products fused %d (%d), mask ops gone %d (%d); repeats still run %d, read by %v",
		c.identities, c.identityElems, c.folded, c.foldedElems, c.fused, c.fusedElems, c.deadMasks, c.deadMaskElems, c.keptRepeats, c.keptBy)
}

// fixedBatches feeds both blocks one fixed random batch each.
type fixedBatches struct{ x, y [2]*tensors.Tensor }

func (f *fixedBatches) Next(b gaea.Block) (*tensors.Tensor, *tensors.Tensor, error) {
	return f.x[b], f.y[b], nil
}
func (f *fixedBatches) State() (json.RawMessage, error) { return json.RawMessage("{}"), nil }
func (f *fixedBatches) SetState(json.RawMessage) error  { return nil }

func newFixedBatches(batch, size int) *fixedBatches {
	rng := rand.New(rand.NewSource(1))
	f := &fixedBatches{}
	for b := range 2 {
		x := make([]float32, batch*size*size*3)
		for i := range x {
			x[i] = 2*rng.Float32() - 1
		}
		y := make([]int32, batch)
		for i := range y {
			y[i] = int32(rng.Intn(10))
		}
		f.x[b], f.y[b] = tensors.FromFlatDataAndDimensions(x, batch, size, size, 3), tensors.FromFlatDataAndDimensions(y, batch)
	}
	return f
}

// TestRewritesInNB201Search: one GAEA-DARTS iteration on the NB201 supernet (C=8, N=1, 4 ops) makes
// graphs in which every rewrite fires: Identity ops (spaces.ReLU's StopGradient) cost nothing, the
// autodiff's broadcasts of the mixed op's weights are folded, and each ReLU's mask products run fused
// with the mask ops dead. Batch 8 of 16×16 images by default (the first stage's tensors are
// fastMinSize elements); with GAEA_TEST_LONG also bench/nb201's nb201-quick size (batch 64, 32×32).
func TestRewritesInNB201Search(t *testing.T) {
	sizes := []struct{ batch, size int }{{8, 16}}
	if os.Getenv("GAEA_TEST_LONG") != "" {
		sizes = append(sizes, struct{ batch, size int }{64, 32})
	}
	for _, sz := range sizes {
		be := &countingBackend{Backend: New()}
		cfg := gaea.DefaultConfig()
		cfg.Space = nb201.New().Channels(8).Cells(1).WithNone(false)
		cfg.Seed = 1
		s, err := gaea.NewSearch(be, cfg, newFixedBatches(sz.batch, sz.size))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		total := rewriteCounts{keptBy: map[string]int{}}
		var lines []string
		for _, b := range be.builders {
			c := countRewrites(b)
			lines = append(lines, fmt.Sprintf("  %s: %s", b.Name(), c))
			if strings.Contains(b.Name(), "Search") { // the iteration's graphs, not the variables' initialisation
				total.add(c)
			}
		}
		sort.Strings(lines)
		t.Logf("batch %d, %d×%d: %d graphs\n%s\n  the iteration's graphs: %s", sz.batch, sz.size, sz.size, len(be.builders), strings.Join(lines, "\n"), total)
		if total.identities == 0 || total.folded == 0 || total.fused == 0 || total.deadMasks == 0 {
			t.Errorf("batch %d, %d×%d: a rewrite never fired in the search's graphs: %+v", sz.batch, sz.size, sz.size, total)
		}
	}
}
