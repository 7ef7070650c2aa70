// Package backend chooses the GoMLX backend that every program, test and notebook of gaeanas runs on.
//
// GoMLX can compile graphs to XLA through a PJRT plugin (CPU or GPU) or run them on its pure-Go
// backend. New picks one by these rules:
//
//  1. If $GOMLX_BACKEND is set (non-empty) it is honoured exactly as GoMLX does: "go", "xla", "xla:cuda",
//     "xla:/abs/path/pjrt_c_api_cuda_plugin.so", ... (the name "go" selects this project's completed
//     pure-Go backend, see package purego).
//  2. Otherwise, XLA is used when a PJRT plugin is installed (CUDA preferred over CPU), or when GoMLX's
//     installer can fetch one (skipped when $GOMLX_NO_AUTO_INSTALL is set).
//  3. Otherwise the pure-Go backend is used. New never fails just because XLA cannot be had.
//
// The choice and the reason are printed once on stderr, e.g.
//
//	backend: go (no PJRT plugin found; set GOMLX_BACKEND=xla:cuda for GPU)
//
// New returns one backend per process (it is cached), so graphs and tensors of different
// parts of a program can be mixed freely; do not Finalize it.
package backend

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	_ "github.com/gaeanas/gaeanas/backend/gradients" // gradients GoMLX lacks (Pad, Reverse)
	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gomlx/gomlx/backends"
)

// EnvVar is the environment variable GoMLX reads the backend configuration from.
const EnvVar = backends.ConfigEnvVar

// QuietEnvVar, when set to a non-empty value, silences the one-line announcement of the chosen backend
// (the notebooks set it: every GoNB cell is a new program and would repeat the line).
const QuietEnvVar = "GAEA_QUIET_BACKEND"

// Choice records which backend New selected and why.
type Choice struct {
	Config string // the configuration string, e.g. "go" or "xla:cuda"
	Reason string // one-line explanation
	Detail string // the underlying error, when a better backend could not be had
}

var (
	mu       sync.Mutex
	cached   backends.Backend
	choice   Choice
	announce io.Writer = os.Stderr
)

// New returns the process-wide backend, choosing it on the first call (see the package documentation).
func New() (backends.Backend, error) {
	mu.Lock()
	defer mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	b, c, err := choose()
	if err != nil {
		return nil, err
	}
	cached, choice = b, c
	if announce != nil && os.Getenv(QuietEnvVar) == "" {
		fmt.Fprintf(announce, "backend: %s (%s)\n", c.Config, c.Reason)
	}
	return b, nil
}

// MustNew is like New but panics on error.
func MustNew() backends.Backend {
	b, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// Chosen returns which backend New selected and why; ok is false before the first successful New.
func Chosen() (c Choice, ok bool) {
	mu.Lock()
	defer mu.Unlock()
	return choice, cached != nil
}

// Name returns a short name of the backend in use ("go", "xla:cuda", ...), choosing it if needed.
func Name() string {
	if _, err := New(); err != nil {
		return "unavailable"
	}
	c, _ := Chosen()
	return c.Config
}

func choose() (backends.Backend, Choice, error) {
	// An empty GOMLX_BACKEND (e.g. `GOMLX_BACKEND= cmd`) means the automatic choice.
	if config := strings.TrimSpace(os.Getenv(EnvVar)); config != "" {
		b, err := withConfig(config)
		if err != nil {
			return nil, Choice{}, fmt.Errorf("backend: %s=%q: %w", EnvVar, config, err)
		}
		return b, Choice{Config: config, Reason: "from $" + EnvVar}, nil
	}
	b, c, ok := tryXLA()
	if ok {
		return b, c, nil
	}
	reason := c.Reason
	if reason == "" {
		reason = "XLA not compiled in (built with -tags noxla)"
	}
	return purego.New(), Choice{Config: "go", Reason: reason + "; set GOMLX_BACKEND=xla:cuda for GPU", Detail: c.Detail}, nil
}

// withConfig is backends.NewWithConfig with its panics (unknown backend name) turned into errors.
func withConfig(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%v", r)
		}
	}()
	if config == "" {
		return nil, fmt.Errorf("empty configuration; use one of %q", backends.List())
	}
	return backends.NewWithConfig(config)
}
