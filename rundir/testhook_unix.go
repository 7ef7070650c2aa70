//go:build unix

package rundir

import (
	"os"
	"syscall"
)

const signalSupported = true

// sendSelf sends this process the signal TERM, INT or KILL.
func sendSelf(name string) error {
	sig := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL}[name]
	return syscall.Kill(os.Getpid(), sig)
}
