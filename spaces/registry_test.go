package spaces_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces"
	_ "github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	_ "github.com/gaeanas/gaeanas/spaces/tiny"
)

// TestRegisteredSpaces: the spaces this test links are registered under their names; each builds its
// default supernet (whose Name is the registered one) and a configured one, refuses a bad option with
// an error, and every preset and protocol row has a key, a value of a settings type and a source.
func TestRegisteredSpaces(t *testing.T) {
	if got, want := spaces.Names(), []string{"darts", "nb201", "tiny"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, d := range spaces.All() {
		sp, err := d.Space()
		if err != nil {
			t.Fatalf("%s: default space: %v", d.Name, err)
		}
		if sp.Name() != d.Name {
			t.Errorf("%s: the default space is named %q", d.Name, sp.Name())
		}
		if d.Summary == "" {
			t.Errorf("%s: no summary", d.Name)
		}
		o := d.Defaults
		o.Channels = 0
		if _, err := d.New(o); err == nil || !strings.Contains(err.Error(), "channels 0") {
			t.Errorf("%s: New with 0 channels: %v, want an error naming channels", d.Name, err)
		}
		rows := d.Presets
		if d.Training != nil {
			rows = append(slices.Clone(rows), d.Training.Protocol...)
		}
		if len(d.Presets) == 0 {
			t.Errorf("%s: no preset rows", d.Name)
		}
		for _, r := range rows {
			switch r.Value.(type) {
			case int, float64, bool, string:
			default:
				t.Errorf("%s: row %s: value %v of type %T", d.Name, r.Key, r.Value, r.Value)
			}
			if r.Key == "" || r.Source == "" {
				t.Errorf("%s: row %+v: no key or no source", d.Name, r)
			}
		}
	}
}

// TestLookupUnknown: an unknown name's error lists the registered spaces; a known one is found.
func TestLookupUnknown(t *testing.T) {
	_, err := spaces.Lookup("nb202")
	var ue *spaces.UnknownError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `unknown space "nb202": want one of darts, nb201, tiny`) {
		t.Errorf("Lookup(nb202) = %v", err)
	}
	if d, err := spaces.Lookup("nb201"); err != nil || d.Name != "nb201" {
		t.Errorf("Lookup(nb201) = %v, %v", d, err)
	}
}

// TestRegisterRefuses: a nameless, constructor-less or second registration is a programming error.
func TestRegisterRefuses(t *testing.T) {
	newTiny := func(spaces.Options) (spaces.Space, error) { return nil, nil }
	for name, d := range map[string]spaces.Descriptor{
		"empty name":  {New: newTiny},
		"space in it": {Name: "a b", New: newTiny},
		"no New":      {Name: "x-no-new"},
		"twice":       {Name: "nb201", New: newTiny},
		"no network":  {Name: "x-train", New: newTiny, Training: &spaces.Training{}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			spaces.Register(d)
		}()
	}
	if slices.Contains(spaces.Names(), "x-no-new") || slices.Contains(spaces.Names(), "x-train") {
		t.Errorf("a refused space was registered: %v", spaces.Names())
	}
}

// TestBenchmarkEntryJSON: an entry's JSON is the flat object result.json and gaea lookup have always
// written for NAS-Bench-201 (index, arch, accuracies, ranks), and reads back to the same entry.
func TestBenchmarkEntryJSON(t *testing.T) {
	d, _ := spaces.Lookup("nb201")
	const arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
	e, err := d.Benchmark.Lookup(arch)
	if err != nil {
		t.Fatal(err)
	}
	n := nb201.Lookup(nb201.MustParseArch(arch))
	legacy := struct {
		Index          int     `json:"index"`
		Arch           string  `json:"arch"`
		CIFAR10        float64 `json:"cifar10"`
		CIFAR100       float64 `json:"cifar100"`
		ImageNet16     float64 `json:"imagenet16"`
		RankCIFAR10    int     `json:"rank_cifar10"`
		RankCIFAR100   int     `json:"rank_cifar100"`
		RankImageNet16 int     `json:"rank_imagenet16"`
	}{n.Index, arch, n.Accuracy[0], n.Accuracy[1], n.Accuracy[2], n.Rank[0], n.Rank[1], n.Rank[2]}
	want, _ := json.Marshal(legacy)
	got, err := json.Marshal(e)
	if err != nil || string(got) != string(want) {
		t.Fatalf("entry JSON\n got %s (%v)\nwant %s", got, err, want)
	}
	var back spaces.BenchmarkEntry
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(back); string(again) != string(want) {
		t.Errorf("round trip: %s, want %s", again, want)
	}
	if acc, ok := back.Accuracy("cifar100"); !ok || acc != n.Accuracy[1] || back.Rank("imagenet16") != n.Rank[2] {
		t.Errorf("read back: cifar100 %v %v, rank imagenet16 %d", acc, ok, back.Rank("imagenet16"))
	}
	if err := json.Unmarshal([]byte(`[1]`), &back); err == nil {
		t.Error("a list read as an entry")
	}
}

// dartsV2 is DARTS_V2 (quark0/darts cnn/genotypes.py).
const dartsV2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"

// TestCellGraphs: the shipped spaces draw a genotype's cells: NAS-Bench-201 one cell without its none
// edges, DARTS a normal and a reduction cell, the teaching space every edge.
func TestCellGraphs(t *testing.T) {
	for _, c := range []struct {
		space, genotype string
		cells, edges    int // graphs, edges of the first
	}{
		{"nb201", "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 1, 4},
		{"darts", dartsV2, 2, 8 + 4}, // 8 op edges, 4 into the output
		{"tiny", "|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|", 1, 3},
	} {
		d, _ := spaces.Lookup(c.space)
		sp, _ := d.Space()
		g, err := d.ParseGenotype(c.genotype)
		if err != nil {
			t.Fatalf("%s: %v", c.space, err)
		}
		graphs, err := sp.(spaces.CellDrawer).CellGraphs(g)
		if err != nil || len(graphs) != c.cells || len(graphs[0].Edges) != c.edges {
			t.Errorf("%s: %d graphs (%v), first with %d edges; want %d, %d", c.space, len(graphs), err, len(graphs[0].Edges), c.cells, c.edges)
		}
	}
}

func TestCheckSizes(t *testing.T) {
	for _, c := range []struct {
		o    spaces.Options
		want string // "" for no error
	}{
		{spaces.Options{Channels: 4, Cells: 1, Classes: 10}, ""},
		{spaces.Options{Channels: 0, Cells: 1, Classes: 10}, "channels 0: want at least 1"},
		{spaces.Options{Channels: 4, Cells: 0, Classes: 10}, "cells 0: want at least 1"},
		{spaces.Options{Channels: 4, Cells: 1, Classes: 1}, "classes 1: want at least 2"},
	} {
		err := c.o.CheckSizes(1, 2)
		if (err == nil) != (c.want == "") || (err != nil && err.Error() != c.want) {
			t.Errorf("%+v.CheckSizes(1, 2) = %v, want %q", c.o, err, c.want)
		}
	}
}
