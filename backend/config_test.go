package backend

import (
	"errors"
	"strings"
	"testing"
)

// CheckName takes the forms of a configuration GoMLX knows and refuses other names, without creating
// a backend.
func TestCheckName(t *testing.T) {
	for _, c := range []string{"go", "xla", "xla:cuda", "xla:cpu", "xla:/opt/pjrt/pjrt_c_api_cuda_plugin.so"} {
		if err := CheckName(c); err != nil {
			t.Errorf("CheckName(%q): %v", c, err)
		}
	}
	for _, c := range []string{"", "tpu", "cuda", "GO", ":cuda", "tpu:v4", strings.Repeat("x", 300)} {
		err := CheckName(c)
		if !errors.Is(err, ErrUnknown) || len(err.Error()) > 200 {
			t.Errorf("CheckName(%q) = %v, want a short ErrUnknown", c, err)
		}
	}
}

// New's error for a configuration that cannot be used is one line, a *ConfigError wrapping ErrUnknown
// (an unknown name) or ErrUnavailable (a known backend this machine or build does not have), never
// the plugin installer's own report.
func TestNewConfigErrors(t *testing.T) {
	t.Setenv("GOMLX_NO_AUTO_INSTALL", "1") // no download attempt, whatever the machine
	for _, c := range []struct {
		config string
		want   error
	}{
		{"tpu", ErrUnknown},
		{"nosuch:config", ErrUnknown},
		{"xla:nosuchplugin", ErrUnavailable},
		{"xla:/nonexistent/pjrt_c_api_cuda_plugin.so", ErrUnavailable},
	} {
		t.Setenv(EnvVar, c.config)
		resetCache(t)
		_, err := New()
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, c.want) || ce.Config != c.config {
			t.Errorf("GOMLX_BACKEND=%q: error %v, want a ConfigError wrapping %v", c.config, err, c.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || len(msg) > 400 || !strings.Contains(msg, EnvVar) {
			t.Errorf("GOMLX_BACKEND=%q: %q is not one short line naming %s", c.config, msg, EnvVar)
		}
		if c.want == ErrUnavailable && !strings.Contains(ce.Reason, "go backend") {
			t.Errorf("GOMLX_BACKEND=%q: reason %q does not say what to do", c.config, ce.Reason)
		}
	}
}
