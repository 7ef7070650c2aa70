//go:build noxla

package backend

import (
	"strings"

	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gomlx/gomlx/backends"
)

func tryXLA() (backends.Backend, Choice, bool) {
	return nil, Choice{Reason: "XLA not compiled in (built with -tags noxla)"}, false
}

// unavailable says in one line why the configuration could not be had.
func unavailable(config string, err error) string {
	if name, _, _ := strings.Cut(config, ":"); name == "xla" {
		return "this gaea was built without XLA (-tags noxla); use the go backend, or a gaea built with XLA"
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return text.Abbrev(s)
}
