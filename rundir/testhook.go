package rundir

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// TestSignalEnv names a TEST HOOK, not a feature: GAEA_TEST_SIGNAL_AT="N:SIGNAL" (SIGNAL one of SIGTERM,
// SIGINT, SIGKILL, or TERM, INT, KILL) makes a search (Run.Execute) send its own process the real signal
// right after it completes iteration N, and a training (Train) right after its training step N, both
// counted from the start of the run (a resumed process that starts past N never sends it). It is how
// the resume tests of cmd/gaea interrupt a run at an exact point instead of at a moment on the clock.
//
// After SIGTERM or SIGINT the loop waits (up to a minute) until the signal has cancelled its context,
// so the interruption is seen before the next iteration starts, as if the signal had come just then;
// after SIGKILL it waits to die, with no clean-up. Where the process does not handle SIGTERM/SIGINT
// (a library caller without signal.Notify), their default action ends it. Unix only; elsewhere a set
// variable is an error.
const TestSignalEnv = "GAEA_TEST_SIGNAL_AT"

// TestSignal is the parsed TestSignalEnv: after iteration (or step) at, send sig.
type TestSignal struct {
	at   int64
	name string // TERM, INT or KILL
}

// TestSignalFromEnv reads TestSignalEnv; nil when it is not set.
func TestSignalFromEnv() (*TestSignal, error) {
	v := os.Getenv(TestSignalEnv)
	if v == "" {
		return nil, nil
	}
	bad := fmt.Errorf("%s=%q (a test hook): want ITERATION:SIGNAL, e.g. 5:SIGTERM (SIGTERM, SIGINT or SIGKILL)", TestSignalEnv, v)
	n, sig, ok := strings.Cut(v, ":")
	at, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || at < 1 {
		return nil, bad
	}
	name := strings.TrimPrefix(strings.ToUpper(sig), "SIG")
	switch name {
	case "TERM", "INT", "KILL":
	default:
		return nil, bad
	}
	if !signalSupported {
		return nil, fmt.Errorf("%s: the test hook needs a Unix system", TestSignalEnv)
	}
	return &TestSignal{at: at, name: name}, nil
}

// After is called when iteration (or step) n is complete: at the hook's point it sends the signal and
// waits for its effect (ctx cancelled, or the end of the process).
func (t *TestSignal) After(ctx context.Context, n int64) error {
	if t == nil || n != t.at {
		return nil
	}
	if err := sendSelf(t.name); err != nil {
		return fmt.Errorf("%s: %w", TestSignalEnv, err)
	}
	done := ctx.Done()
	if t.name == "KILL" {
		done = nil // nothing to wait for but the end
	}
	select {
	case <-done:
		return nil
	case <-time.After(time.Minute): // a pending timer also keeps the runtime from calling this a deadlock
		return fmt.Errorf("%s: SIG%s sent after %d did not stop the run within a minute", TestSignalEnv, t.name, n)
	}
}
