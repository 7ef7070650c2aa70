package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes of every gaea command (see the package documentation in main.go): 0 success (also for
// -h/--help, which prints the usage), 1 failure, 2 a bad command line (a usageError).

// deprecatedUsage starts the usage string of a flag kept only as an alias of another (train's --lr
// and --wd): it works, but printDefaults does not list it.
const deprecatedUsage = "deprecated alias of "

// parseFlags parses args with fs the way every gaea command does. A bad flag returns a usageError
// holding the flag package's one-line message, without printing the usage (main prints the line and
// exits 2); -h or --help prints the full usage to fs's output and returns flag.ErrHelp (main exits
// 0, printing nothing more).
//
// Beyond the flag package: a flag given an empty value (--out ”, as an unset shell variable gives)
// is refused, whatever the flag; and a boolean flag takes a following true or false as its value
// (--nesterov false is --nesterov=false, not --nesterov and an argument "false").
func parseFlags(fs *flag.FlagSet, args []string) error {
	empty := refuseEmpty(fs)
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(joinBoolValues(fs, args))
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		if fs.Usage != nil {
			fs.Usage()
		} else {
			printDefaults(fs)
		}
		return flag.ErrHelp
	}
	if err != nil {
		if *empty != "" {
			return usagef("--%s '': empty value (an unset shell variable?); give a value or leave the flag out", *empty)
		}
		return usageError{err}
	}
	return nil
}

// nonEmpty is a flag value that refuses "" (and records the flag's name in empty).
type nonEmpty struct {
	flag.Value
	name  string
	empty *string
}

var errEmptyValue = errors.New("empty value")

func (v *nonEmpty) Set(s string) error {
	if s == "" {
		*v.empty = v.name
		return errEmptyValue
	}
	return v.Value.Set(s)
}

// String is the wrapped value's; the flag package also calls it on a zero nonEmpty (to find the
// default), whose Value is nil.
func (v *nonEmpty) String() string {
	if v == nil || v.Value == nil {
		return ""
	}
	return v.Value.String()
}

func (v *nonEmpty) IsBoolFlag() bool { return isBool(v.Value) }

func isBool(v flag.Value) bool {
	b, ok := v.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// refuseEmpty wraps every non-boolean flag of fs (once) so that an empty value is refused; the name
// of the flag given one ends up in the returned string.
func refuseEmpty(fs *flag.FlagSet) *string {
	empty := new(string)
	fs.VisitAll(func(f *flag.Flag) {
		if w, ok := f.Value.(*nonEmpty); ok {
			w.empty = empty
			return
		}
		if !isBool(f.Value) {
			f.Value = &nonEmpty{Value: f.Value, name: f.Name, empty: empty}
		}
	})
	return empty
}

// joinBoolValues rewrites "--flag true" and "--flag false" as "--flag=true", "--flag=false" for the
// boolean flags of fs (up to a "--" that ends the flags).
func joinBoolValues(fs *flag.FlagSet, args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if f := fs.Lookup(name); f != nil && name != a && !strings.Contains(name, "=") && isBool(f.Value) &&
			i+1 < len(args) && (args[i+1] == "true" || args[i+1] == "false") {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

// printDefaults is fs.PrintDefaults without the deprecated aliases (flags whose usage starts with
// deprecatedUsage).
func printDefaults(fs *flag.FlagSet) {
	shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	shown.SetOutput(fs.Output())
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, deprecatedUsage) {
			return
		}
		v := f.Value
		if w, ok := v.(*nonEmpty); ok {
			v = w.Value // the flag package names the placeholder (int, string, …) after the value's type
		}
		shown.Var(v, f.Name, f.Usage)
		shown.Lookup(f.Name).DefValue = f.DefValue
	})
	shown.PrintDefaults()
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
	if pos[0] == "" {
		return "", usagef("empty folder name (an unset shell variable?)")
	}
	return pos[0], nil
}
