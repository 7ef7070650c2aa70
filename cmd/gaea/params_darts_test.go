package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/darts"
)

func TestParamsDARTS(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		// Reference counts (PyTorch, spaces/darts/testdata/reference_params.py).
		{[]string{"--space", "darts", "--genotype", darts.DARTS_V2.String()}, "3349342"},
		{[]string{"--space", "darts", "--genotype", darts.DARTS_V2.String(), "--auxiliary"}, "3825768"},
		{[]string{"--space=darts", "--genotype", "DARTS_V2", "--classes", "100"}, "3401272"},
		{[]string{"--space", "darts", "--genotype", "PC_DARTS", "--channels", "36", "--layers", "20"}, "3634678"},
		{[]string{"--space", "darts", "--genotype", darts.DARTS_V1.String()}, "3169414"},
		{[]string{"--space", "darts", "--genotype", "DARTS_V2", "--imagenet"}, "4718752"},
		{[]string{"--space", "darts", "--genotype", "PC_DARTS_IMAGENET", "--imagenet", "--auxiliary"}, "6603240"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		if err := paramsTo(&out, c.args); err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got := out.String(); got != c.want+"\n" {
			t.Errorf("%q: printed %q, want %q", c.args, got, c.want)
		}
	}
}

func TestParamsDARTSErrors(t *testing.T) {
	valid := darts.PC_DARTS.String()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--space", "darts"}, "--genotype is required"},
		{[]string{"--space", "nb201", "--genotype", valid}, "--genotype is not a flag of the nb201 network"},
		{[]string{"--space", "darts", "--genotype", "NASNet"}, "expected Genotype"},
		{[]string{"--space", "darts", "--genotype", strings.Replace(valid, "sep_conv_5x5", "conv_9x9", 1)}, `unknown op "conv_9x9"`},
		{[]string{"--space", "darts", "--genotype", valid, "--channels", "35"}, "--channels must be even"},
		{[]string{"--space", "darts", "--genotype", valid, "--layers", "0"}, "--layers"},
		{[]string{"--space", "darts", "--genotype", valid, "--classes", "0"}, "--classes"},
		{[]string{"--space", "darts", "--genotype", valid, "extra"}, `unexpected argument "extra"`},
		{[]string{"--space", "darts", "--nosuch"}, "nosuch"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := paramsTo(&out, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.args, err, c.want)
		}
		if out.Len() != 0 {
			t.Errorf("%q: printed %q on error", c.args, out.String())
		}
	}
}
