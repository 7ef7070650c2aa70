//go:build unix

package cli

import "syscall"

// writable reports whether this process may make files in the folder dir (access(2), W_OK|X_OK):
// nothing is written to find out.
func writable(dir string) error { return syscall.Access(dir, 0x2|0x1) }
