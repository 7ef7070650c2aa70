package darts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/internal/text"
)

// OpInput is one entry of a genotype cell: the op on an edge and the state it reads (0 and 1 are the
// cell's two inputs c_{k-2} and c_{k-1}, 2… the intermediate nodes). In Python it is the tuple
// ('sep_conv_3x3', 1).
type OpInput struct {
	Op    string
	Input int
}

// Genotype is a discrete DARTS architecture: for each of the two cell types, two OpInput entries per
// intermediate node (node i, counted from 0, reads states < i+2; its value is the sum of its two ops) and
// the states concatenated into the cell output. It is the PyTorch namedtuple
//
//	Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), …], normal_concat=range(2, 6), reduce=[…], reduce_concat=range(2, 6))
//
// Genotypes found in this space (Space.Discretize) have 4 nodes and concat = range(2, 6); the evaluation
// networks accept any number of nodes and any concat list, as the reference code does.
type Genotype struct {
	Normal       []OpInput
	NormalConcat []int
	Reduce       []OpInput
	ReduceConcat []int
}

// Well-known genotypes of the DARTS space (CIFAR-10 searches unless said otherwise), as published in the
// reference code of DARTS (quark0/darts cnn/genotypes.py) and PC-DARTS (yuhuixu1993/PC-DARTS genotypes.py).
var (
	// DARTS_V1 is first-order DARTS.
	DARTS_V1 = MustParseGenotype("Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])")
	// DARTS_V2 is second-order DARTS (the reference's DARTS; 3.3 M parameters on CIFAR-10).
	DARTS_V2 = MustParseGenotype("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])")
	// PC_DARTS is PC-DARTS searched on CIFAR-10 (PC_DARTS_cifar in the reference; 3.6 M parameters).
	PC_DARTS = MustParseGenotype("Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))")
	// PC_DARTS_IMAGENET is PC-DARTS searched on ImageNet (PC_DARTS_image in the reference).
	PC_DARTS_IMAGENET = MustParseGenotype("Genotype(normal=[('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('sep_conv_3x3', 2), ('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 3)], reduce_concat=range(2, 6))")
)

// KnownGenotypes maps the names of the well-known genotypes to them.
var KnownGenotypes = map[string]*Genotype{
	"DARTS_V1":          DARTS_V1,
	"DARTS_V2":          DARTS_V2,
	"DARTS":             DARTS_V2,
	"PC_DARTS":          PC_DARTS,
	"PC_DARTS_cifar":    PC_DARTS,
	"PC_DARTS_IMAGENET": PC_DARTS_IMAGENET,
	"PC_DARTS_image":    PC_DARTS_IMAGENET,
}

// String returns the genotype as Python prints the namedtuple. A concat list of consecutive ascending
// states is written range(a, b) (what the search code produces); any other list as [a, b, …].
func (g *Genotype) String() string {
	var b strings.Builder
	b.WriteString("Genotype(normal=")
	writeCell(&b, g.Normal)
	b.WriteString(", normal_concat=")
	writeConcat(&b, g.NormalConcat)
	b.WriteString(", reduce=")
	writeCell(&b, g.Reduce)
	b.WriteString(", reduce_concat=")
	writeConcat(&b, g.ReduceConcat)
	b.WriteString(")")
	return b.String()
}

func writeCell(b *strings.Builder, cell []OpInput) {
	b.WriteByte('[')
	for i, e := range cell {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "('%s', %d)", e.Op, e.Input)
	}
	b.WriteByte(']')
}

func writeConcat(b *strings.Builder, concat []int) {
	contiguous := len(concat) > 0
	for i := 1; i < len(concat); i++ {
		contiguous = contiguous && concat[i] == concat[i-1]+1
	}
	if contiguous {
		fmt.Fprintf(b, "range(%d, %d)", concat[0], concat[len(concat)-1]+1)
		return
	}
	b.WriteByte('[')
	for i, c := range concat {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(c))
	}
	b.WriteByte(']')
}

// Equal tells whether two genotypes are the same architecture description.
func (g *Genotype) Equal(o *Genotype) bool {
	return slices.Equal(g.Normal, o.Normal) && slices.Equal(g.Reduce, o.Reduce) &&
		slices.Equal(g.NormalConcat, o.NormalConcat) && slices.Equal(g.ReduceConcat, o.ReduceConcat)
}

// Clone returns a deep copy.
func (g *Genotype) Clone() *Genotype {
	return &Genotype{Normal: slices.Clone(g.Normal), NormalConcat: slices.Clone(g.NormalConcat),
		Reduce: slices.Clone(g.Reduce), ReduceConcat: slices.Clone(g.ReduceConcat)}
}

// Nodes returns the number of intermediate nodes of the normal and reduction cells.
func (g *Genotype) Nodes() (normal, reduce int) { return len(g.Normal) / 2, len(g.Reduce) / 2 }

// Validate checks the genotype: each cell has two entries per node (at least one node), every op is one
// of the 8 DARTS ops ('none' included, as the reference code allows), node i reads only states < i+2, and
// each concat list is non-empty, without repeats, of existing states.
func (g *Genotype) Validate() error {
	if err := validateCell("normal", g.Normal, g.NormalConcat); err != nil {
		return err
	}
	return validateCell("reduce", g.Reduce, g.ReduceConcat)
}

func validateCell(name string, cell []OpInput, concat []int) error {
	if len(cell) == 0 || len(cell)%2 != 0 {
		return fmt.Errorf("%s has %d entries, want an even number ≥ 2 (two per node)", name, len(cell))
	}
	for i, e := range cell {
		if !slices.Contains(allOps, e.Op) {
			return fmt.Errorf("%s entry %d: unknown op %q (the DARTS ops are %s)", name, i, e.Op, strings.Join(allOps, ", "))
		}
		if node := i/2 + 2; e.Input < 0 || e.Input >= node {
			return fmt.Errorf("%s entry %d (%s): node %d cannot read state %d, only 0..%d", name, i, e.Op, node, e.Input, node-1)
		}
	}
	states := len(cell)/2 + 2
	if len(concat) == 0 {
		return fmt.Errorf("%s_concat is empty", name)
	}
	for i, c := range concat {
		if c < 0 || c >= states {
			return fmt.Errorf("%s_concat: state %d does not exist (states are 0..%d)", name, c, states-1)
		}
		if slices.Contains(concat[:i], c) {
			return fmt.Errorf("%s_concat: state %d repeated", name, c)
		}
	}
	return nil
}

// MustParseGenotype is ParseGenotype that panics on error, for constants.
func MustParseGenotype(s string) *Genotype {
	g, err := ParseGenotype(s)
	if err != nil {
		panic(err)
	}
	return g
}

// ParseGenotype reads a genotype written as Python prints it (what Genotype.String gives), and also as it
// is written in the reference genotype files (quark0/darts cnn/genotypes.py, yuhuixu1993/PC-DARTS
// genotypes.py): single or double quotes, any whitespace and line breaks,
// trailing commas, keyword arguments in any order, concat as range(a, b) or as a list. The result is
// validated (see Genotype.Validate); errors name the problem.
func ParseGenotype(s string) (*Genotype, error) {
	p := &parser{src: s}
	g, err := p.genotype()
	if err == nil {
		err = g.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("darts: parse genotype %q: %w", text.Abbrev(s), err)
	}
	return g, nil
}

// parser is a small recursive-descent parser over the Python literal syntax genotypes use.
type parser struct {
	src string
	pos int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.ContainsRune(" \t\r\n", rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// peek returns the next non-space byte, or 0 at the end.
func (p *parser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) expect(c byte) error {
	if got := p.peek(); got != c {
		if got == 0 {
			return p.errorf("expected %q, found the end", c)
		}
		return p.errorf("expected %q, found %q", c, got)
	}
	p.pos++
	return nil
}

func (p *parser) ident() (string, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || p.pos > start && c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", p.errorf("expected a name")
	}
	return p.src[start:p.pos], nil
}

func (p *parser) integer() (int, error) {
	p.skipSpace()
	start := p.pos
	if p.pos < len(p.src) && p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil {
		p.pos = start
		return 0, p.errorf("expected an integer")
	}
	return n, nil
}

func (p *parser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", p.errorf("expected a quoted op name")
	}
	end := strings.IndexByte(p.src[p.pos+1:], q)
	if end < 0 {
		return "", p.errorf("unterminated string")
	}
	s := p.src[p.pos+1 : p.pos+1+end]
	p.pos += end + 2
	return s, nil
}

// list parses "[ item, item, … ]" with an optional trailing comma.
func (p *parser) list(item func() error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	for {
		if p.peek() == ']' {
			p.pos++
			return nil
		}
		if err := item(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		default:
			return p.errorf("expected ',' or ']'")
		}
	}
}

func (p *parser) cell() ([]OpInput, error) {
	cell := []OpInput{}
	err := p.list(func() error {
		if err := p.expect('('); err != nil {
			return err
		}
		op, err := p.str()
		if err != nil {
			return err
		}
		if err := p.expect(','); err != nil {
			return err
		}
		in, err := p.integer()
		if err != nil {
			return err
		}
		if p.peek() == ',' { // a trailing comma in a tuple is valid Python
			p.pos++
		}
		if err := p.expect(')'); err != nil {
			return err
		}
		cell = append(cell, OpInput{Op: op, Input: in})
		return nil
	})
	return cell, err
}

func (p *parser) concat() ([]int, error) {
	if p.peek() == '[' {
		var out []int
		err := p.list(func() error {
			n, err := p.integer()
			out = append(out, n)
			return err
		})
		return out, err
	}
	name, err := p.ident()
	if err != nil {
		return nil, p.errorf("expected range(a, b) or a list of states")
	}
	if name != "range" {
		return nil, p.errorf("expected range(a, b) or a list of states, found %q", name)
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	a, err := p.integer()
	if err != nil {
		return nil, err
	}
	if err := p.expect(','); err != nil {
		return nil, err
	}
	b, err := p.integer()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	if b <= a || b-a > 1000 {
		return nil, p.errorf("range(%d, %d) is empty or too long", a, b)
	}
	out := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out, nil
}

func (p *parser) genotype() (*Genotype, error) {
	name, err := p.ident()
	if err != nil || name != "Genotype" {
		p.pos = 0
		return nil, p.errorf("expected Genotype(…)")
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	g := &Genotype{}
	seen := map[string]bool{}
	for p.peek() != ')' {
		key, err := p.ident()
		if err != nil {
			return nil, p.errorf("expected a keyword argument (normal, normal_concat, reduce, reduce_concat)")
		}
		if seen[key] {
			return nil, p.errorf("%s given twice", key)
		}
		seen[key] = true
		if err := p.expect('='); err != nil {
			return nil, err
		}
		switch key {
		case "normal":
			g.Normal, err = p.cell()
		case "reduce":
			g.Reduce, err = p.cell()
		case "normal_concat":
			g.NormalConcat, err = p.concat()
		case "reduce_concat":
			g.ReduceConcat, err = p.concat()
		default:
			return nil, p.errorf("unknown field %q (want normal, normal_concat, reduce, reduce_concat)", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if p.peek() == ',' {
			p.pos++
		} else if p.peek() != ')' {
			return nil, p.errorf("expected ',' or ')'")
		}
	}
	p.pos++
	if p.peek() != 0 {
		return nil, p.errorf("unexpected text after the closing ')'")
	}
	for _, key := range []string{"normal", "normal_concat", "reduce", "reduce_concat"} {
		if !seen[key] {
			return nil, fmt.Errorf("missing %s", key)
		}
	}
	return g, nil
}
