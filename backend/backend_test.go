package backend

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// resetCache forgets New's cached choice for the duration of a test and captures its announcement.
// (It uses the package's unexported state directly; New has no reset of its own.)
func resetCache(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	mu.Lock()
	oldCached, oldChoice, oldAnnounce := cached, choice, announce
	cached, choice, announce = nil, Choice{}, &buf
	mu.Unlock()
	t.Cleanup(func() {
		mu.Lock()
		cached, choice, announce = oldCached, oldChoice, oldAnnounce
		mu.Unlock()
	})
	return &buf
}

// unsetEnv unsets name for the test (restored afterwards).
func unsetEnv(t *testing.T, name string) {
	t.Setenv(name, "")
	os.Unsetenv(name)
}

// checkRuns runs a small graph on b: (x·2 + 1) summed.
func checkRuns(t *testing.T, b backends.Backend) {
	t.Helper()
	out, err := graph.ExecOnce(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.AddScalar(graph.MulScalar(x, 2), 1))
	}, tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4}, 2, 2))
	if err != nil {
		t.Fatalf("running a graph on %s: %+v", b.Name(), err)
	}
	if got := out.Value().(float32); got != 24 {
		t.Errorf("graph on %s: got %g, want 24", b.Name(), got)
	}
}

func TestNewDefaultsToPureGo(t *testing.T) {
	unsetEnv(t, EnvVar)
	t.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	buf := resetCache(t)
	b, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c, ok := Chosen()
	if !ok {
		t.Fatal("Chosen: not ok after New")
	}
	if strings.HasPrefix(c.Config, "xla") {
		t.Skipf("a PJRT plugin is installed here (%s): the default is XLA", c.Reason)
	}
	if c.Config != "go" || b.Name() != "go" || Name() != "go" {
		t.Errorf("config %q, backend name %q, Name() %q; want go", c.Config, b.Name(), Name())
	}
	if _, isPure := b.(*purego.Backend); !isPure {
		t.Errorf("backend is %T, want *purego.Backend", b)
	}
	checkRuns(t, b)
	// Exactly one announcement line, and New is cached.
	b2, err := New()
	if err != nil || b2 != b {
		t.Errorf("second New: %v, same backend %v", err, b2 == b)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "backend: go (") {
		t.Errorf("announcement: %q, want one line starting with %q", buf.String(), "backend: go (")
	}
	t.Logf("announced: %s", lines[0])
}

func TestNewWithEnvGo(t *testing.T) {
	t.Setenv(EnvVar, "go")
	buf := resetCache(t)
	b, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, isPure := b.(*purego.Backend); !isPure {
		t.Errorf("GOMLX_BACKEND=go gave %T, want *purego.Backend", b)
	}
	c, _ := Chosen()
	if c.Config != "go" || !strings.Contains(c.Reason, EnvVar) {
		t.Errorf("choice %+v", c)
	}
	checkRuns(t, b)
	if !strings.HasPrefix(buf.String(), "backend: go (from $GOMLX_BACKEND)") {
		t.Errorf("announcement %q", buf.String())
	}
	// GoMLX's own constructor gets purego too.
	b2, err := backends.NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	if _, isPure := b2.(*purego.Backend); !isPure {
		t.Errorf("backends.NewWithConfig(\"go\") gave %T, want *purego.Backend", b2)
	}
}

func TestNewUnknownBackendIsError(t *testing.T) {
	for _, config := range []string{"nosuch", "nosuch:config"} {
		t.Run(config, func(t *testing.T) {
			t.Setenv(EnvVar, config)
			resetCache(t)
			var b backends.Backend
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("New panicked: %v", r)
					}
				}()
				b, err = New()
			}()
			if err == nil {
				t.Fatalf("GOMLX_BACKEND=%q: no error, got backend %v", config, b)
			}
			if !strings.Contains(err.Error(), EnvVar) {
				t.Errorf("error %q does not name %s", err, EnvVar)
			}
			if _, ok := Chosen(); ok {
				t.Errorf("Chosen reports a backend after a failed New")
			}
			if Name() != "unavailable" {
				t.Errorf("Name() = %q after failure", Name())
			}
			if mustPanics := func() (p bool) {
				defer func() { p = recover() != nil }()
				MustNew()
				return
			}(); !mustPanics {
				t.Errorf("MustNew did not panic")
			}
			t.Logf("error: %v", err)
		})
	}
}

// TestEmptyEnvIsAutomatic: GOMLX_BACKEND set to "" (or blanks) means the automatic choice.
func TestEmptyEnvIsAutomatic(t *testing.T) {
	t.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	for _, v := range []string{"", "  "} {
		t.Setenv(EnvVar, v)
		resetCache(t)
		if _, err := New(); err != nil {
			t.Fatalf("GOMLX_BACKEND=%q: %v", v, err)
		}
		c, _ := Chosen()
		if c.Reason == "from $"+EnvVar {
			t.Errorf("GOMLX_BACKEND=%q was taken as a configuration (%+v)", v, c)
		}
	}
}

// TestQuietEnv: GAEA_QUIET_BACKEND silences the announcement, and the choice is still recorded.
func TestQuietEnv(t *testing.T) {
	t.Setenv(EnvVar, "go")
	t.Setenv(QuietEnvVar, "1")
	buf := resetCache(t)
	if _, err := New(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("announcement printed despite %s: %q", QuietEnvVar, buf.String())
	}
	if c, ok := Chosen(); !ok || c.Config != "go" {
		t.Errorf("Chosen() = %+v, %v", c, ok)
	}
}
