package rundir

import (
	"strings"
	"testing"
)

// TestTestSignalEnv: the test hook's variable is read as ITERATION:SIGNAL; anything else is an error
// that names the variable (a mistyped hook must not silently run a test uninterrupted).
func TestTestSignalEnv(t *testing.T) {
	if !signalSupported {
		t.Skip("the hook needs Unix signals")
	}
	for _, c := range []struct {
		value string
		at    int64
		name  string // "" = error
	}{
		{"", 0, ""}, {"5:SIGTERM", 5, "TERM"}, {"1:sigint", 1, "INT"}, {"12:KILL", 12, "KILL"}, {"3:TERM", 3, "TERM"},
		{"5", 0, ""}, {"0:SIGTERM", 0, ""}, {"-1:SIGKILL", 0, ""}, {"x:SIGTERM", 0, ""}, {"5:SIGHUP", 0, ""}, {"5:", 0, ""},
	} {
		t.Setenv(TestSignalEnv, c.value)
		sig, err := TestSignalFromEnv()
		switch {
		case c.value == "":
			if sig != nil || err != nil {
				t.Errorf("unset: %+v, %v; want nothing", sig, err)
			}
		case c.name == "":
			if err == nil || !strings.Contains(err.Error(), TestSignalEnv) {
				t.Errorf("%q: %+v, %v; want an error naming %s", c.value, sig, err, TestSignalEnv)
			}
		case err != nil || sig == nil || sig.at != c.at || sig.name != c.name:
			t.Errorf("%q: %+v, %v; want after %d send %s", c.value, sig, err, c.at, c.name)
		}
	}
}
