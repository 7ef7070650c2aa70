package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParamsNB201(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--space", "nb201", "--arch", bestC10}, "1073466\n"},
		{[]string{"--arch", bestC10, "--space", "nb201", "--classes", "120"}, "1080616\n"},
		{[]string{"--space", "nb201", "--arch", "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"}, "73306\n"},
		{[]string{"--space", "nb201", "--arch", bestC10, "--channels", "8", "--cells", "2"}, "119314\n"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := paramsTo(&buf, c.args); err != nil {
			t.Fatalf("params %q: %v", c.args, err)
		}
		if buf.String() != c.want {
			t.Errorf("params %q = %q, want %q", c.args, buf.String(), c.want)
		}
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--space", "nb201"}, "--arch is required"},
		{[]string{"--space", "nb201", "--arch", bestC10, "--classes", "0"}, "must be ≥ 1"},
		{[]string{"--space", "nb201", "--arch", bestC10, "extra"}, "unexpected argument"},
		{[]string{"--space", "nb201", "--arch", "|nor_conv_3x3~0|"}, "1 nodes"},
	}
	for _, c := range bad {
		if err := paramsTo(&bytes.Buffer{}, c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("params %q: error %v, want %q", c.args, err, c.want)
		}
	}
}

func TestParamsSpace(t *testing.T) {
	if err := runParams([]string{"--space", "nope"}); err == nil || !strings.Contains(err.Error(), "want darts or nb201") {
		t.Errorf("runParams(--space nope): %v", err)
	}
	if err := paramsTo(&bytes.Buffer{}, []string{"--space", "nb201", "--genotype", "DARTS_V2"}); err == nil || !strings.Contains(err.Error(), "--genotype is not a flag of the nb201 network") {
		t.Errorf("nb201 with --genotype: %v", err)
	}
}
