//go:build linux

package sweep

import (
	"os/exec"
	"syscall"
)

// childAttrs makes a cell's process receive SIGTERM (it checkpoints and exits) when the sweep dies,
// even by SIGKILL, so that no orphan keeps working on a cell a later sweep resumes.
func childAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
