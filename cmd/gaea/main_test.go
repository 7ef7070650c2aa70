package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestCheckTrainingLossFalls(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	run, err := checkTraining(6, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !run.LossFalls || !(run.LastLoss < run.FirstLoss) {
		t.Errorf("loss did not fall: %+v", run)
	}
	if run.Steps != 6 || run.Batch != 8 {
		t.Errorf("run = %+v", run)
	}
}

func TestBackendFlagsErrors(t *testing.T) {
	for _, args := range [][]string{{"-steps", "1"}, {"-batch", "0"}, {"extra"}, {"-nosuchflag"}} {
		if err := runBackend(args); err == nil {
			t.Errorf("gaea backend %q: no error", args)
		}
	}
}

// TestCommandLine builds the binary and checks exit codes and the one-line errors.
func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	cases := []struct {
		args     []string
		code     int
		contains string
	}{
		{nil, 2, "Usage"},
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"backend", "-steps", "1"}, 1, "-steps must be"},
		{[]string{"version"}, 0, "gaea"},
		{[]string{"backend", "-steps", "3", "-batch", "4", "-json"}, 0, `"loss_falls": true`},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || !strings.Contains(string(out), c.contains) {
			t.Errorf("gaea %q: exit %d, output %q; want exit %d containing %q", c.args, code, out, c.code, c.contains)
		}
	}
}
