package main

import (
	"errors"
	"flag"
	"io"
)

// Exit codes of every gaea command: 0 success (also for -h/--help, which prints the usage),
// 1 failure, 2 a bad command line (unknown flag, bad value, unexpected argument: a usageError).

// parseFlags parses args with fs the way every gaea command does. A bad flag returns a usageError
// holding the flag package's one-line message, without printing the usage (main prints the line and
// exits 2); -h or --help prints the full usage to fs's output and returns flag.ErrHelp (main exits
// 0, printing nothing more).
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		if fs.Usage != nil {
			fs.Usage()
		} else {
			fs.PrintDefaults()
		}
		return flag.ErrHelp
	}
	if err != nil {
		return usageError{err}
	}
	return nil
}
