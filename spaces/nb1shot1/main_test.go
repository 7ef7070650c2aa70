package nb1shot1

import (
	"os"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/backends"
)

// TestMain runs the graph tests on the pure-Go backend unless GOMLX_BACKEND says otherwise.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv(backend.EnvVar); !ok {
		_ = os.Setenv(backend.EnvVar, "go")
	}
	os.Exit(m.Run())
}

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatalf("backend: %v", err)
	}
	return b
}

// long skips a test unless GAEA_TEST_LONG is set.
func long(t *testing.T) {
	t.Helper()
	if os.Getenv("GAEA_TEST_LONG") == "" {
		t.Skip("long: set GAEA_TEST_LONG=1 (.ci/run does)")
	}
}
