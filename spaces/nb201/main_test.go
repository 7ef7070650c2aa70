package nb201

import (
	"os"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/backends"
)

// TestMain runs the graph tests on the pure-Go backend unless GOMLX_BACKEND says otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(backend.EnvVar) == "" {
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

// csvPath is the benchmark CSV of the shared reference data (absent outside the project's machines).
const csvPath = "../../../shared/data/nb201/nats_bench.csv"
