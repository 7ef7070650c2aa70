package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const bestC10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"

func TestLookup(t *testing.T) {
	for _, args := range [][]string{{bestC10}, {"--index", "6111"}, {"-index=6111"}} {
		var buf bytes.Buffer
		if err := lookupTo(&buf, args); err != nil {
			t.Fatalf("lookup %q: %v", args, err)
		}
		if strings.Count(buf.String(), "\n") != 1 {
			t.Errorf("lookup %q: output is not one line: %q", args, buf.String())
		}
		var r map[string]any
		if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"index", "arch", "cifar10", "cifar100", "imagenet16", "rank_cifar10", "rank_cifar100", "rank_imagenet16"} {
			if _, ok := r[k]; !ok {
				t.Errorf("lookup %q: no %q in %s", args, k, buf.String())
			}
		}
		if r["index"] != 6111.0 || r["arch"] != bestC10 || r["rank_cifar10"] != 1.0 || r["cifar10"].(float64) < 94.37 {
			t.Errorf("lookup %q = %s", args, buf.String())
		}
	}
	// Keys in the documented order.
	var buf bytes.Buffer
	_ = lookupTo(&buf, []string{"--index", "0"})
	if !strings.HasPrefix(buf.String(), `{"index":0,"arch":"|avg_pool_3x3~0|`) {
		t.Errorf("lookup --index 0 = %s", buf.String())
	}
}

func TestLookupErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "missing architecture"},
		{[]string{"|nor_conv_3x3~0|+|conv~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"}, `node 2: unknown op "conv"`},
		{[]string{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|"}, "2 nodes"},
		{[]string{bestC10, "extra"}, "2 arguments"},
		{[]string{"--index", "3", bestC10}, "not both"},
		{[]string{"--index", "15625"}, "out of range"},
		{[]string{"--index", "-1"}, "out of range"},
	}
	for _, c := range cases {
		err := lookupTo(&bytes.Buffer{}, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("lookup %q: error %v, want one line containing %q", c.args, err, c.want)
		}
	}
}

// TestLookupParamsCommandLine builds the binary and checks outputs and exit codes of lookup and params.
func TestLookupParamsCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	cases := []struct {
		args       []string
		code       int
		stdout     string // exact, if not empty
		stderrHas  string
		stderrOneL bool
	}{
		{[]string{"lookup", "--index", "1835"}, 0, "", "", false},
		{[]string{"lookup", "|none~0|+|none~0|none~1|+|none~0|none~1|none~9|"}, 2, "", `node 3: entry 3 "none~9" has input "9", want 2`, true},
		{[]string{"params", "--space", "nb201", "--arch", bestC10}, 0, "1073466\n", "", false},
		{[]string{"params", "--space=nb201", "--arch", bestC10, "--classes", "100"}, 0, "1079316\n", "", false},
		{[]string{"params", "--space", "nb201", "--arch", bestC10, "--channels", "24"}, 0, "2409874\n", "", false},
		{[]string{"params", "--space", "nb201", "--arch", "|x~0|"}, 2, "", "1 nodes separated by", true},
		{[]string{"params", "--space", "nope"}, 2, "", `--space "nope"`, true},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go")
		code, stdout, stderr := capture(t, cmd)
		if code != c.code || (c.stdout != "" && stdout != c.stdout) || !strings.Contains(stderr, c.stderrHas) ||
			(c.stderrOneL && strings.Count(stderr, "\n") != 1) {
			t.Errorf("gaea %q: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q", c.args, code, stdout, stderr, c.code, c.stdout, c.stderrHas)
		}
		if c.args[0] == "lookup" && code == 0 && !strings.Contains(stdout, `"index":1835,`) {
			t.Errorf("gaea lookup --index 1835: %q", stdout)
		}
	}
}
