//go:build !unix

package experiment

import "errors"

const signalSupported = false

func sendSelf(string) error { return errors.New("signals to self need a Unix system") }
