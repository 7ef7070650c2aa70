package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
)

func TestCheckTrainingLossFalls(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	run, err := backend.CheckTraining(6, 8)
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
		{[]string{"backend", "-steps", "1"}, 2, "-steps must be"},
		{[]string{"version"}, 0, "gaea"},
		{[]string{"backend", "-steps", "3", "-batch", "4", "-json"}, 0, `"loss_falls": true`},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go")
		out, err := cmd.CombinedOutput()
		code := codeOf(t, err)
		if code != c.code || !strings.Contains(string(out), c.contains) {
			t.Errorf("gaea %q: exit %d, output %q; want exit %d containing %q", c.args, code, out, c.code, c.contains)
		}
	}
}

// exitCode runs the binary and returns its exit status and combined output.
func exitCode(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go", "GAEA_QUIET_BACKEND=1")
	out, err := cmd.CombinedOutput()
	return codeOf(t, err), string(out)
}

// TestExitCodes checks the exit-code convention on every command: -h and --help print the usage
// and exit 0, a bad flag prints one line naming it and exits 2.
func TestExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			for _, h := range []string{"-h", "--help"} {
				code, out := exitCode(t, bin, c.name, h)
				if code != 0 || !strings.Contains(out, "Usage") {
					t.Errorf("gaea %s %s: exit %d, output %q; want exit 0 and the usage", c.name, h, code, out)
				}
				if strings.Contains(out, "help requested") || strings.Contains(out, "panic") {
					t.Errorf("gaea %s %s: output %q", c.name, h, out)
				}
			}
			code, out := exitCode(t, bin, c.name, "--no-such-flag")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code != 2 || !strings.Contains(out, "no-such-flag") {
				t.Errorf("gaea %s --no-such-flag: exit %d, output %q; want exit 2 naming the flag", c.name, code, out)
			}
			if len(lines) != 1 {
				t.Errorf("gaea %s --no-such-flag: %d lines, want one: %q", c.name, len(lines), out)
			}
		})
	}
	if code, out := exitCode(t, bin, "params", "-h"); code != 0 || !strings.Contains(out, "-genotype") || !strings.Contains(out, "-imagenet") || !strings.Contains(out, "-arch") {
		t.Errorf("gaea params -h: exit %d, want the flags of both spaces: %q", code, out)
	}
	// Bad values and arguments exit 2, failures 1; every error is one line.
	garbage := strings.Repeat("x|~+", 2500) // 10 KB
	for _, c := range []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"params", "--channels", "100000000", "--arch", "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"}, 2, "--channels 100000000 is too large"},
		{[]string{"params", "--space", "darts", "--genotype", "DARTS_V2", "--channels", "100000000", "--layers", "1000000"}, 2, "too large"},
		{[]string{"params", "--space", "darts", "--genotype", "DARTS_V2", "--layers", "1000000"}, 2, "--layers 1000000 is too large"},
		{[]string{"lookup", garbage}, 2, "nb201: parse"},
		{[]string{"lookup", "--index", "99999"}, 2, "out of range"},
		{[]string{"data", "--dataset", garbage}, 2, "unknown data set"},
		{[]string{"simplex", "--costs", "1e308,-1e308,0", "--lr", "10"}, 2, "out of range"},
		{[]string{"simplex", "--costs", "700,-700,0", "--lr", "10", "--steps", "2"}, 1, "not finite"},
		{[]string{"simplex", "extra"}, 2, "unexpected argument"},
		{[]string{"version", "extra"}, 2, "unexpected argument"},
	} {
		code, out := exitCode(t, bin, c.args...)
		short := strings.Join(c.args, " ")
		if len(short) > 100 {
			short = short[:100] + "…"
		}
		if code != c.code || !strings.Contains(out, c.contains) {
			t.Errorf("gaea %s: exit %d, output %q; want exit %d containing %q", short, code, out, c.code, c.contains)
		}
		if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 {
			t.Errorf("gaea %s: %d lines, want one: %q", short, n+1, out)
		}
		if len(out) > 300 {
			t.Errorf("gaea %s: %d bytes of error, want a short line: %q", short, len(out), out)
		}
		if strings.Contains(out, "NaN") && code == 0 {
			t.Errorf("gaea %s: printed NaN and succeeded", short)
		}
	}
}
