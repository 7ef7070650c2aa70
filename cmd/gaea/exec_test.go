package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// codeOf is the exit status of a finished command: 0, or the status of an *exec.ExitError; any other
// error (the command could not start) fails the test.
func codeOf(t *testing.T, err error) int {
	t.Helper()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// capture runs cmd and returns its exit status, stdout and stderr.
func capture(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	code := codeOf(t, cmd.Run())
	return code, out.String(), errb.String()
}

// run runs the binary with the pure-Go backend and returns its exit code, stdout and stderr.
func run(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go", "GAEA_QUIET_BACKEND=1")
	return capture(t, cmd)
}
