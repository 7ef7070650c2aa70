package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
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

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", raw)
	return err
}

// parseInterspersed is parseFlags allowing flags after the positional arguments (gaea aggregate DIR
// --json); it returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// folderArg parses fs's flags (before or after the folder) and returns the one folder argument.
func folderArg(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usagef("want one sweep folder, got %d arguments", len(pos))
	}
	return pos[0], nil
}
