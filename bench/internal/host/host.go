// Package host describes the machine and backend a benchmark of bench/ runs on.
package host

import (
	"os"
	"runtime"
	"strings"

	"github.com/gomlx/gomlx/backends"
)

// CPUModel is the "model name" of /proc/cpuinfo (GOARCH where there is none).
func CPUModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// Description is the first line of the backend's description.
func Description(b backends.Backend) string {
	desc := b.Description()
	if i := strings.IndexByte(desc, '\n'); i >= 0 {
		desc = desc[:i]
	}
	return desc
}
