package scratch

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
	_ "github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	_ "github.com/gaeanas/gaeanas/spaces/tiny"
)

const arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

// TestResolveTakesTheSpacesProtocol: every value not given comes from the space's protocol row (which
// has a source), the depth lands under the key the protocol keeps (cells for NB201, layers for
// DARTS), and a given value wins.
func TestResolveTakesTheSpacesProtocol(t *testing.T) {
	for _, c := range []struct {
		given        setting.Overrides
		cells, layer int
	}{
		{setting.Overrides{"space": "nb201", "genotype": arch}, 5, 0},
		{setting.Overrides{"space": "nb201", "genotype": arch, "layers": 2}, 2, 0},
		{setting.Overrides{"space": "darts", "genotype": "DARTS_V2"}, 0, 20},
		{setting.Overrides{"space": "darts", "genotype": "DARTS_V2", "cells": 8, "epochs": 3}, 0, 8},
	} {
		st, err := Resolve(c.given)
		if err != nil {
			t.Fatalf("%v: %v", c.given, err)
		}
		if st.Cells != c.cells || st.Layers != c.layer {
			t.Errorf("%v: cells %d layers %d, want %d, %d", c.given, st.Cells, st.Layers, c.cells, c.layer)
		}
		rows, err := Protocol(st.Space)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			got, _ := Table.Get(&st, r.Key)
			if _, given := c.given[r.Key]; given || r.Key == "cells" || r.Key == "layers" {
				continue
			}
			if got != r.Value || r.Source == "" {
				t.Errorf("%s %s = %v, want the protocol's %v (%q)", st.Space, r.Key, got, r.Value, r.Source)
			}
		}
		if e, ok := c.given["epochs"]; ok && st.Epochs != e {
			t.Errorf("given epochs %v, got %d", e, st.Epochs)
		}
	}
}

// TestResolveRefuses: each refusal names the setting's key (the command line renders it as a flag).
func TestResolveRefuses(t *testing.T) {
	for _, c := range []struct {
		given setting.Overrides
		key   string
		want  string
	}{
		{setting.Overrides{"genotype": arch}, "space", "is required"},
		{setting.Overrides{"space": "nb202", "genotype": arch}, "space", `"nb202": want darts or nb201`},
		{setting.Overrides{"space": "tiny", "genotype": arch}, "space", "has no training protocol"},
		{setting.Overrides{"space": "nb201"}, "genotype", "is required for the nb201 space"},
		{setting.Overrides{"space": "nb201", "genotype": "x"}, "genotype", ": nb201: parse"},
		{setting.Overrides{"space": "nb201", "genotype": arch, "auxiliary": 0.4}, "auxiliary", "is not a setting of the nb201 network (darts)"},
		{setting.Overrides{"space": "darts", "genotype": "DARTS_V2", "cells": 3, "layers": 4}, "cells", "3 and layers 4 disagree"},
		{setting.Overrides{"space": "nb201", "genotype": arch, "epochs": 0}, "epochs", "must be at least 1"},
		{setting.Overrides{"space": "darts", "genotype": "DARTS_V2", "drop_path": 1.0}, "drop_path", "must be below 1"},
		{setting.Overrides{"space": "nb201", "genotype": arch, "checkpoint_every": "3weeks"}, "checkpoint_every", `"3weeks": want N`},
		{setting.Overrides{"space": "nb201", "genotype": arch, "dataset": "cifar11"}, "dataset", `"cifar11"`},
		{setting.Overrides{"space": "nb201", "genotype": arch, "pad_to": 32}, "pad_to", "cannot be set"},
	} {
		_, err := Resolve(c.given)
		var se *setting.Error
		if !errors.As(err, &se) || se.Key != c.key || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a %s error containing %q", c.given, err, c.key, c.want)
		}
	}
}

// TestResultJSON: result.json keeps the benchmark entry under the space's name ("nb201"), as it always
// has, and reads it back.
func TestResultJSON(t *testing.T) {
	d, _ := spaces.Lookup("nb201")
	e, err := d.Benchmark.Lookup(arch)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(Result{Space: "nb201", Genotype: arch, Steps: 1, Benchmark: e})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	_ = json.Unmarshal(raw, &m) // the other keys are no objects
	want := nb201.Lookup(nb201.MustParseArch(arch))
	if m["nb201"]["cifar10"] != want.Accuracy[nb201.CIFAR10] || m["nb201"]["rank_imagenet16"] != float64(want.Rank[nb201.ImageNet16]) {
		t.Errorf("result.json nb201 = %v", m["nb201"])
	}
	var back Result
	if err := json.Unmarshal(raw, &back); err != nil || back.Benchmark == nil || back.Benchmark.Index != want.Index {
		t.Errorf("read back: %+v, %v", back, err)
	}
}
