package spaces

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The registry of search spaces, after database/sql's drivers: each space's own package registers a
// Descriptor in its init function, and a program links the spaces it offers with one blank import each
// where it starts (cmd/gaea's spaces.go, a notebook's first cell, a test):
//
//	import _ "github.com/gaeanas/gaeanas/spaces/nb201"
//
// Everything above this package — the search runs (experiment), the sweeps, the from-scratch training
// (trainer), the pictures (viz) and the command line — asks the registry (Lookup, Names) and holds no
// list of spaces of its own.

// Descriptor is what the rest of gaeanas knows of a search space. Name, Summary and New are required;
// the rest is optional and says what the space offers beyond the supernet.
type Descriptor struct {
	// Name identifies the space on the command line, in settings.json and in result.json ("nb201").
	Name string
	// Summary is one line for help texts.
	Summary string
	// New builds the supernet of the options (a search's settings), or says which option is wrong.
	New func(Options) (Space, error)
	// Defaults are the options of the space's reference supernet (Descriptor.Space builds it): what
	// parses a genotype, looks it up or draws it when no search settings are at hand.
	Defaults Options
	// Capabilities say which algorithms the space supports beyond the plain weighted sum of ops.
	Capabilities Capabilities
	// Presets are the space's rows of the search preset table: the values a search on it takes, per
	// preset and algorithm, each with its source (the reference configuration file and key).
	Presets []Row
	// GenotypeName is what the space calls one architecture on the command line: "arch" for
	// NAS-Bench-201's architecture string (gaea train --arch), "" for "genotype".
	GenotypeName string
	// Named are genotypes known by a name ("DARTS_V2"), in the space's text form; ParseGenotype takes
	// the names too.
	Named map[string]string
	// Training is how the discrete network of a genotype is trained from scratch; nil when the space
	// has no stand-alone network protocol.
	Training *Training
	// Benchmark is the space's tabular benchmark; nil when it has none or when it is a file the user
	// provides (BenchmarkFile).
	Benchmark Benchmark
	// BenchmarkFile is, for a space whose benchmark is a file the user provides rather than data built
	// in, how to find and open it; nil otherwise. Descriptor.OpenBenchmark opens either kind.
	BenchmarkFile *BenchmarkFile
}

// BenchmarkFile is a benchmark that lives in a file the user names: NAS-Bench-1Shot1's lookups in
// NAS-Bench-101's nasbench_only108.tfrecord (≈ 0.5 GB, not shipped).
type BenchmarkFile struct {
	Title string // the benchmark, "NAS-Bench-101"
	File  string // what the file is, "nasbench_only108.tfrecord"
	Flag  string // the command-line flag that names it, without dashes: "nb101" for --nb101 FILE
	Env   string // the environment variable that names it when the flag is not given
	// Datasets are the data sets of its entries, in column order (Benchmark.Datasets of the opened
	// file): a table can show the entries searches stored without opening the file.
	Datasets []BenchmarkDataset
	// Open opens the file as the space's benchmark; progress, when not nil, is called while a first
	// open reads the file (bytes done of total).
	Open func(path string, progress func(done, total int64)) (Benchmark, error)
}

// NoBenchmarkError is OpenBenchmark's error for a space whose benchmark file was not named.
type NoBenchmarkError struct {
	Space string
	File  *BenchmarkFile
}

func (e *NoBenchmarkError) Error() string {
	return fmt.Sprintf("no %s lookup for %s: give --%s FILE or set %s to the path of %s", e.File.Title, e.Space, e.File.Flag, e.File.Env, e.File.File)
}

// HasBenchmark reports whether the space has a benchmark, built in or in a file.
func (d *Descriptor) HasBenchmark() bool { return d.Benchmark != nil || d.BenchmarkFile != nil }

// OpenBenchmark returns the space's benchmark: the built-in one, or the file path names (else the one
// the environment variable BenchmarkFile.Env names) opened with BenchmarkFile.Open. A space whose file
// is named nowhere gives a *NoBenchmarkError; a space without a benchmark gives nil and no error.
func (d *Descriptor) OpenBenchmark(path string, progress func(done, total int64)) (Benchmark, error) {
	if d.Benchmark != nil || d.BenchmarkFile == nil {
		return d.Benchmark, nil
	}
	if path == "" {
		path = os.Getenv(d.BenchmarkFile.Env)
	}
	if path == "" {
		return nil, &NoBenchmarkError{Space: d.Name, File: d.BenchmarkFile}
	}
	b, err := d.BenchmarkFile.Open(path, progress)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Options configure a space's supernet from a search's settings.
type Options struct {
	Channels    int  // C, the width of the first cells
	Cells       int  // the supernet's depth: cells per stage (NAS-Bench-201, tiny) or layers (DARTS)
	Classes     int  // output classes (from the data set)
	WithNone    bool // the `none` (zero) op is a candidate
	EdgeWeights bool // learned edge weights β per node (Capabilities.EdgeWeights)
}

// CheckSizes is the size check a space's constructor starts with: at least one channel, minCells cells
// and minClasses classes; the error names the option ("cells 0: want at least 1").
func (o Options) CheckSizes(minCells, minClasses int) error {
	switch {
	case o.Channels < 1:
		return fmt.Errorf("channels %d: want at least 1", o.Channels)
	case o.Cells < minCells:
		return fmt.Errorf("cells %d: want at least %d", o.Cells, minCells)
	case o.Classes < minClasses:
		return fmt.Errorf("classes %d: want at least %d", o.Classes, minClasses)
	}
	return nil
}

// Capabilities say which search algorithms a space supports.
type Capabilities struct {
	// PartialChannels: the supernet honours Mixture.PartialChannels (PC-DARTS).
	PartialChannels bool
	// EdgeWeights: with Options.EdgeWeights the space has β rows (EdgeGroups; PC-DARTS's edge
	// normalisation).
	EdgeWeights bool
	// SinglePath: a genotype keeps exactly one op per edge, so one op sampled per edge is an
	// architecture (random search with weight sharing samples and scores such paths).
	SinglePath bool
	// WeightedOnly: the supernet takes weighted mixtures only, no sampled ones (Mixture.Sampled: GDAS,
	// GAEA GDAS).
	WeightedOnly bool
}

// Row is one value of a preset table with its source. In Descriptor.Presets a row applies to the
// preset Preset ("" = every preset) and the algorithm Algo ("" = every algorithm) on its space; the
// most specific row of a key wins (preset over algorithm over none). In Training.Protocol Preset and
// Algo are empty.
type Row struct {
	Preset, Algo string
	Key          string // the settings.json key
	Value        any    // int, float64, bool or string
	Source       string
}

// Training is a space's from-scratch protocol: the values of the training settings (trainer.Settings
// keys: epochs, batch, lr, weight_decay, channels, cells or layers, …) with their sources, and the
// network they train.
type Training struct {
	Protocol []Row
	// Network builds the stand-alone network of g.
	Network func(g Genotype, o NetworkOptions) (Network, error)
	// Options lists the network options (NetworkOptions fields, as training settings keys) the
	// network takes beyond channels, its depth and classes: "auxiliary", "drop_path", "imagenet".
	Options []string
	// AuxiliaryInput is the least image size the auxiliary head works with; smaller images are
	// zero-padded to it when the head is built (DARTS: 32, the head needs 8×8 after two reductions).
	AuxiliaryInput int
	// ImageNet is the reference configuration of the network's ImageNet form (Options has
	// "imagenet"): its channels, depth and classes (DARTS's NetworkImageNet: 48, 14, 1000).
	ImageNet NetworkOptions
}

// Takes reports whether the network takes the option (a name of Training.Options).
func (t *Training) Takes(option string) bool { return t != nil && slices.Contains(t.Options, option) }

// NetworkOptions configure the stand-alone network of a genotype.
type NetworkOptions struct {
	Channels  int     // C
	Cells     int     // depth, as Options.Cells
	Classes   int     // output classes
	Auxiliary bool    // build an auxiliary head (its logits come second from Build, in training)
	DropPath  float64 // drop-path probability at the start; 0: none. It lives in DropPathVariable.
	ImageNet  bool    // the network's ImageNet form (224×224 inputs)
	// Height and Width are the input images' size, 0 when not known (a parameter count).
	Height, Width int
}

// Network is the stand-alone network of a genotype.
type Network interface {
	// Build creates the network's variables in ctx and returns its logits for images x, and the
	// auxiliary head's logits when it has one (nil otherwise).
	Build(ctx *context.Context, x *graph.Node) (logits, aux *graph.Node)
	// ParamCount is the number of trainable parameters as the space's reference counts them.
	ParamCount() int
	// NotCounted lists the variable scopes the reference leaves out of its count (an auxiliary head).
	NotCounted() []string
}

// DropPathScope and DropPathName name the scalar variable that holds a network's drop-path
// probability (ctx.In(DropPathScope), variable DropPathName), so that a trainer can schedule it.
const (
	DropPathScope = "drop_path"
	DropPathName  = "prob"
)

// Benchmark is a space's tabular benchmark: the stand-alone accuracy of its architectures.
type Benchmark interface {
	// Title names the benchmark in figures and reports ("NAS-Bench-201").
	Title() string
	// Datasets lists the data sets of an entry, in column order.
	Datasets() []BenchmarkDataset
	// Size is the number of architectures in the table.
	Size() int
	// Lookup returns the entry of a genotype in the space's text form.
	Lookup(genotype string) (*BenchmarkEntry, error)
	// Entry returns the entry with the given index.
	Entry(index int) (*BenchmarkEntry, error)
	// Best returns the entry with the highest accuracy on a data set.
	Best(dataset string) (*BenchmarkEntry, error)
	// Accuracies returns the accuracy of every architecture on a data set (a landscape).
	Accuracies(dataset string) ([]float64, error)
}

// BenchmarkDataset is one data set of a benchmark: its key in entries ("cifar10") and its title.
type BenchmarkDataset struct {
	Key, Title string
}

// Registration errors and lookups.
var (
	mu       sync.RWMutex
	registry = map[string]*Descriptor{}
)

// Register makes a space available by its name. It panics if the name is empty or taken, or if New is
// nil (a programming error, as database/sql.Register does).
func Register(d Descriptor) {
	mu.Lock()
	defer mu.Unlock()
	switch {
	case d.Name == "" || strings.ContainsAny(d.Name, " \t\n/,"):
		panic(fmt.Sprintf("spaces: Register: bad name %q", d.Name))
	case d.New == nil:
		panic(fmt.Sprintf("spaces: Register %s: no New", d.Name))
	case registry[d.Name] != nil:
		panic(fmt.Sprintf("spaces: Register called twice for %s", d.Name))
	case d.Training != nil && d.Training.Network == nil:
		panic(fmt.Sprintf("spaces: Register %s: Training without Network", d.Name))
	case d.BenchmarkFile != nil && (d.Benchmark != nil || d.BenchmarkFile.Open == nil || d.BenchmarkFile.Flag == "" || d.BenchmarkFile.Env == ""):
		panic(fmt.Sprintf("spaces: Register %s: BenchmarkFile needs Open, Flag and Env, and no built-in Benchmark", d.Name))
	}
	registry[d.Name] = &d
}

// Lookup returns the descriptor of a registered space; the error of an unknown name lists the
// registered ones.
func Lookup(name string) (*Descriptor, error) {
	mu.RLock()
	d := registry[name]
	mu.RUnlock()
	if d == nil {
		return nil, &UnknownError{Name: name, Known: Names()}
	}
	return d, nil
}

// UnknownError is Lookup's error for a name no space registered.
type UnknownError struct {
	Name  string
	Known []string
}

func (e *UnknownError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("unknown space %q: no space is registered (link one, e.g. import _ \"github.com/gaeanas/gaeanas/spaces/nb201\")", e.Name)
	}
	return fmt.Sprintf("unknown space %q: want one of %s", e.Name, strings.Join(e.Known, ", "))
}

// Names lists the registered spaces, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// All returns the registered descriptors, sorted by name.
func All() []*Descriptor {
	var out []*Descriptor
	for _, n := range Names() {
		d, _ := Lookup(n)
		out = append(out, d)
	}
	return out
}

// Which lists the registered spaces for which has is true (e.g. those with a capability).
func Which(has func(*Descriptor) bool) []string {
	var out []string
	for _, d := range All() {
		if has(d) {
			out = append(out, d.Name)
		}
	}
	return out
}

// Space builds the space with its default options (Descriptor.Defaults).
func (d *Descriptor) Space() (Space, error) { return d.New(d.Defaults) }

// ParseGenotype parses a genotype in the space's text form (Space.ParseGenotype of the default space)
// or by one of its names (Named).
func (d *Descriptor) ParseGenotype(s string) (Genotype, error) {
	sp, err := d.Space()
	if err != nil {
		return nil, err
	}
	if text, ok := d.Named[s]; ok {
		s = text
	}
	return sp.ParseGenotype(s)
}

// GenotypeFlag is the command-line name of the space's genotype: GenotypeName, or "genotype".
func (d *Descriptor) GenotypeFlag() string {
	if d.GenotypeName != "" {
		return d.GenotypeName
	}
	return "genotype"
}

// NamedList lists the names of Named, sorted.
func (d *Descriptor) NamedList() []string {
	var names []string
	for n := range d.Named {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
