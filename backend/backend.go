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
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	_ "github.com/gaeanas/gaeanas/backend/gradients" // gradients GoMLX lacks (Pad, Reverse)
	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gaeanas/gaeanas/internal/text"
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

// ErrUnknown is wrapped by the errors of CheckName and New for a configuration whose backend name is
// neither "go" nor "xla" nor another registered backend (a usage error).
var ErrUnknown = errors.New("unknown backend")

// ErrUnavailable is wrapped by the error of New for a known backend that cannot be had on this
// machine or in this build (XLA without a PJRT plugin, or a binary built with -tags noxla).
var ErrUnavailable = errors.New("backend not available")

// ConfigError is New's error for a configuration ($GOMLX_BACKEND) that cannot be used: Err is
// ErrUnknown or ErrUnavailable, Reason one short line saying why and what to do.
type ConfigError struct {
	Config string
	Reason string
	Err    error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("backend: %s=%q: %s", EnvVar, e.Config, e.Reason)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Names are the backend names a configuration may start with ("go", "xla", and any other backend
// registered in this binary), sorted.
func Names() []string {
	names := append([]string{"go", "xla"}, backends.List()...)
	slices.Sort(names)
	return slices.Compact(names)
}

// CheckName checks the form of a backend configuration (go, xla, xla:cuda, xla:/path/plugin.so, …)
// without creating the backend: its name must be one of Names. A binary built without XLA still
// accepts "xla" here (New then fails with ErrUnavailable): a sweep's cells may run another binary.
func CheckName(config string) error {
	name, _, _ := strings.Cut(strings.TrimSpace(config), ":")
	if name == "" || !slices.Contains(Names(), name) {
		return fmt.Errorf("%w %q; %s", ErrUnknown, text.Abbrev(config), wantConfig)
	}
	return nil
}

const wantConfig = "want go, xla, xla:cuda, xla:cpu or xla:/path/to/pjrt_plugin.so"

// getPluginHelp is the one-line advice of an XLA configuration without its plugin.
const getPluginHelp = "get one as the README says (Backends: Getting the GPU plugin; without network: PJRT_PLUGIN_LIBRARY_PATH), or use the go backend"

func choose() (backends.Backend, Choice, error) {
	// An empty GOMLX_BACKEND (e.g. `GOMLX_BACKEND= cmd`) means the automatic choice.
	if config := strings.TrimSpace(os.Getenv(EnvVar)); config != "" {
		if err := CheckName(config); err != nil {
			return nil, Choice{}, &ConfigError{Config: config, Reason: "unknown backend; " + wantConfig, Err: ErrUnknown}
		}
		b, err := withConfig(config)
		if err != nil {
			return nil, Choice{}, &ConfigError{Config: config, Reason: unavailable(config, err), Err: ErrUnavailable}
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
