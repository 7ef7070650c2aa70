//go:build noxla

package backend

import "github.com/gomlx/gomlx/backends"

func tryXLA() (backends.Backend, Choice, bool) {
	return nil, Choice{Reason: "XLA not compiled in (built with -tags noxla)"}, false
}
