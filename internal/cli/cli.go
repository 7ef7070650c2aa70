// Package cli parses gaea's command lines the one way every command (and a sweep's check of its
// cells) does: the flag package, plus a refusal of empty values and "--flag false" for booleans; and
// says which errors are the command line's fault (UsageError: exit 2).
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/setting"
)

// UsageError is a bad command line: gaea exits 2 for it.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usage marks err as the command line's fault (nil stays nil).
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return UsageError{err}
}

// Usagef is Usage(fmt.Errorf(format, args...)).
func Usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }

// IsUsage reports whether err is the command line's fault.
func IsUsage(err error) bool {
	var ue UsageError
	return errors.As(err, &ue)
}

// Parse parses args with fs. A bad flag returns a UsageError holding the flag package's one-line
// message, without printing the usage; -h or --help prints the usage to fs's output and returns
// flag.ErrHelp. Beyond the flag package: a flag given an empty value (--out ”, as an unset shell
// variable gives) is refused, whatever the flag; and a boolean flag takes a following true or false
// as its value (--nesterov false is --nesterov=false).
func Parse(fs *flag.FlagSet, args []string) error {
	empty := refuseEmpty(fs)
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(joinBoolValues(fs, args))
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		if fs.Usage != nil {
			fs.Usage()
		} else {
			PrintDefaults(fs)
		}
		return flag.ErrHelp
	}
	if err != nil {
		if *empty != "" {
			return Usagef("--%s '': empty value (an unset shell variable?); give a value or leave the flag out", *empty)
		}
		return UsageError{err}
	}
	return nil
}

// NoArgs refuses positional arguments left after the flags.
func NoArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q", text.Abbrev(fs.Arg(0)))
	}
	return nil
}

// Given is the set of flags given on the command line.
func Given(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// nonEmpty is a flag value that refuses "" (and records the flag's name in empty).
type nonEmpty struct {
	flag.Value
	name  string
	empty *string
}

func (v *nonEmpty) Set(s string) error {
	if s == "" {
		*v.empty = v.name
		return errors.New("empty value")
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

// Unwrap is the wrapped value.
func (v *nonEmpty) Unwrap() flag.Value { return v.Value }

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

// PrintDefaults is fs.PrintDefaults without the deprecated aliases (flags whose help starts with
// setting.DeprecatedUsage).
func PrintDefaults(fs *flag.FlagSet) {
	shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	shown.SetOutput(fs.Output())
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Usage, setting.DeprecatedUsage) {
			return
		}
		// The flag package names the placeholder (int, string, …) after the value's type: the value
		// wrappers (an empty value's refusal, a sweep's recording, a setting's parsing) are left out.
		v := f.Value
		for {
			w, ok := v.(interface{ Unwrap() flag.Value })
			if !ok || w.Unwrap() == nil {
				break
			}
			v = w.Unwrap()
		}
		shown.Var(v, f.Name, f.Usage)
		if f.DefValue != "" {
			shown.Lookup(f.Name).DefValue = f.DefValue
		}
	})
	shown.PrintDefaults()
}

// Flagged renders an error for the command line: an error about one setting (setting.Error) names the
// setting by its flag (flagOf maps a settings key to it) instead of its key.
func Flagged(err error, flagOf func(key string) string) string {
	msg := err.Error()
	var se *setting.Error
	if errors.As(err, &se) {
		msg = strings.Replace(msg, se.Error(), se.Flagged(flagOf), 1)
	}
	return msg
}

// Interspersed is Parse allowing flags after the positional arguments (gaea aggregate DIR --json); it
// returns the positional arguments.
func Interspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := Parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// FolderArg parses fs's flags (before or after the folder) and returns the one folder argument.
func FolderArg(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := Interspersed(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", Usagef("want one sweep folder, got %d arguments", len(pos))
	}
	if pos[0] == "" {
		return "", Usagef("empty folder name (an unset shell variable?)")
	}
	return pos[0], nil
}

// PrintJSON writes v as indented JSON.
func PrintJSON(w io.Writer, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", raw)
	return err
}
