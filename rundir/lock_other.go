//go:build !unix

package rundir

import "os"

// Without flock (non-Unix systems) two processes on one run folder are not detected.
func flock(f *os.File) error   { return nil }
func funlock(f *os.File) error { return nil }
