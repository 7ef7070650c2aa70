//go:build linux

package sweep

import (
	"os/exec"
	"syscall"
)

// childAttrs makes a cell's process receive SIGTERM (it checkpoints and exits) when the sweep dies,
// even by SIGKILL, so that no orphan keeps working on a cell a later sweep resumes. The child gets its
// own process group: a Ctrl-C at the terminal reaches the sweep only, which sends each cell one SIGTERM
// (a second signal would stop a search while it writes its checkpoint).
func childAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
}
