//go:build !unix

package rundir

import "errors"

const signalSupported = false

func sendSelf(string) error { return errors.New("signals to self need a Unix system") }
