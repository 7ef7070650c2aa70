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

// countingBuilder is purego's Builder noting the Identity ops GoMLX asks for, the binary ops whose
// broadcast operand the folding reads around, and the executable it compiles.
type countingBuilder struct {
	*Builder
	identities []*node    // operands of Identity
	folds      []foldNote // binary ops built around a broadcast repeat
	exec       *Executable
}

type foldNote struct{ res, bcast *node }

func (b *countingBuilder) Identity(x backends.Op) (backends.Op, error) {
	if n, ok := x.(*node); ok && n != nil {
		b.identities = append(b.identities, n)
	}
	return b.Builder.Identity(x)
}

// noteFold runs a binary op and notes it when an operand is a broadcast repeat of the other's shape.
func (b *countingBuilder) noteFold(x, y backends.Op, res backends.Op, err error) (backends.Op, error) {
	xn, _ := x.(*node)
	yn, _ := y.(*node)
	rn, _ := res.(*node)
	if err == nil && xn != nil && yn != nil && rn != nil && xn.shape.Equal(yn.shape) {
		if yn.bcastSrc != nil {
			b.folds = append(b.folds, foldNote{rn, yn})
		} else if xn.bcastSrc != nil {
			b.folds = append(b.folds, foldNote{rn, xn})
		}
	}
	return res, err
}

func (b *countingBuilder) Add(x, y backends.Op) (backends.Op, error) {
	r, err := b.Builder.Add(x, y)
	return b.noteFold(x, y, r, err)
}

func (b *countingBuilder) Sub(x, y backends.Op) (backends.Op, error) {
	r, err := b.Builder.Sub(x, y)
	return b.noteFold(x, y, r, err)
}

func (b *countingBuilder) Mul(x, y backends.Op) (backends.Op, error) {
	r, err := b.Builder.Mul(x, y)
	return b.noteFold(x, y, r, err)
}

func (b *countingBuilder) Div(x, y backends.Op) (backends.Op, error) {
	r, err := b.Builder.Div(x, y)
	return b.noteFold(x, y, r, err)
}

func (b *countingBuilder) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	e, err := b.Builder.Compile(outputs, shardings)
	if err == nil {
		b.exec = e.(*Executable)
	}
	return e, err
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

// rewriteCounts is what the rewrites did to one compiled graph, counting only what it computes (live
// ops); elements are the tensors' sizes summed.
type rewriteCounts struct {
	identities, identityElems int // Identity ops of live values, returned as their operand
	foldedOps                 int // live binary ops that read a broadcast's source instead of the broadcast
	folded, foldedElems       int // broadcasts those ops read that are no longer computed at all
	fused, fusedElems         int // live ReLU mask products run as one pass a·[x > 0]
	reluInputs                int // the distinct x of those
	deadMasks, deadMaskElems  int // GreaterThan(x, 0) and its ConvertDType of those, no longer computed
	keptRepeats               int // broadcasts that only repeat a smaller tensor and are still computed
	keptBy                    map[string]int
}

func countRewrites(b *countingBuilder) rewriteCounts {
	c := rewriteCounts{keptBy: map[string]int{}}
	if b.exec == nil {
		return c
	}
	live := b.exec.live
	for _, n := range b.identities {
		if live[n.idx] {
			c.identities++
			c.identityElems += n.shape.Size()
		}
	}
	gone := map[*node]bool{}
	for _, f := range b.folds {
		if live[f.res.idx] {
			c.foldedOps++
			if !live[f.bcast.idx] && !gone[f.bcast] {
				gone[f.bcast] = true
				c.folded++
				c.foldedElems += f.bcast.shape.Size()
			}
		}
	}
	readers := map[*node][]*node{} // the first output of each live op that reads the node
	masks := map[*node]bool{}      // the ReLU inputs x of live fused products
	for _, st := range b.stages {
		for _, call := range st.calls {
			if anyLive(live, call.outputs) {
				for _, in := range call.inputs {
					readers[in] = append(readers[in], call.outputs[0])
				}
			}
		}
		for _, cu := range st.customs {
			if !anyLive(live, cu.outputs) {
				continue
			}
			for _, in := range cu.inputs {
				readers[in] = append(readers[in], cu.outputs[0])
			}
			if cu.name == "ReLUMul" {
				c.fused++
				c.fusedElems += cu.outputs[0].shape.Size()
				masks[cu.inputs[1]] = true
			}
		}
	}
	c.reluInputs = len(masks)
	for _, n := range b.nodes {
		switch {
		case n.bcastSrc != nil && live[n.idx]:
			c.keptRepeats++
			for _, r := range readers[n] {
				c.keptBy[opName(r)]++
			}
		case !live[n.idx] && isReLUMaskOf(n, masks):
			c.deadMasks++
			c.deadMaskElems += n.shape.Size()
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

// isReLUMaskOf reports whether n is spaces.ReLU's GreaterThan(x, 0) or its conversion, for an x in xs.
func isReLUMaskOf(n *node, xs map[*node]bool) bool {
	if n.call != nil && n.call.name == "GreaterThan" && n.call.outputs[0] == n {
		z := n.call.inputs[1]
		return z.isConst && z.constVal == 0 && xs[n.call.inputs[0]]
	}
	x := reluMaskOf(n)
	return x != nil && xs[x]
}

func (c *rewriteCounts) add(o rewriteCounts) {
	c.identities += o.identities
	c.identityElems += o.identityElems
	c.foldedOps += o.foldedOps
	c.folded += o.folded
	c.foldedElems += o.foldedElems
	c.fused += o.fused
	c.fusedElems += o.fusedElems
	c.reluInputs += o.reluInputs
	c.deadMasks += o.deadMasks
	c.deadMaskElems += o.deadMaskElems
	c.keptRepeats += o.keptRepeats
	for k, v := range o.keptBy {
		c.keptBy[k] += v
	}
}

func (c rewriteCounts) String() string {
	return fmt.Sprintf("identities %d (%d elements); ops reading a broadcast's source %d, broadcasts no longer computed %d (%d elements); "+
		"mask products fused %d (%d) on %d distinct inputs, mask ops no longer computed %d (%d); repeats still computed %d, read by %v",
		c.identities, c.identityElems, c.foldedOps, c.folded, c.foldedElems, c.fused, c.fusedElems, c.reluInputs, c.deadMasks, c.deadMaskElems, c.keptRepeats, c.keptBy)
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
// graphs in which every rewrite fires on what the compiled graphs compute: Identity ops cost nothing,
// broadcasts of the autodiff (the mixed op's weights, the pool's counts) are no longer computed, and
// ReLU mask products run fused, the comparison and conversion of every fused ReLU's mask no longer
// computed. Batch 8 of 16×16 images by default (the first stage's tensors are fastMinSize elements);
// with GAEA_TEST_LONG also bench/nb201's nb201-quick size (batch 64, 32×32).
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
			t.Errorf("batch %d, %d×%d: a rewrite never fired in the search's graphs: %s", sz.batch, sz.size, sz.size, total)
		}
		// A comparison and a conversion per ReLU; one x can feed several ReLUs (each conv op of an edge
		// applies its own ReLU to the edge's input).
		if total.deadMasks%2 != 0 || total.deadMasks < 2*total.reluInputs {
			t.Errorf("batch %d, %d×%d: %d mask ops gone for %d fused ReLU inputs, want 2 per ReLU", sz.batch, sz.size, sz.size, total.deadMasks, total.reluInputs)
		}
	}
}
