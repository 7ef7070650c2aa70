package sweep

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// RecordArgs makes every flag already defined on fs (the gaea search flags a sweep passes to every
// cell) also record itself, when given, as a --name=value word, in the order given. The flags keep
// their own parsing, so a bad value is refused when the sweep's command line is parsed.
func RecordArgs(fs *flag.FlagSet) *[]string {
	args := new([]string)
	fs.VisitAll(func(f *flag.Flag) {
		f.Value = &recorded{Value: f.Value, name: f.Name, args: args}
	})
	return args
}

type recorded struct {
	flag.Value
	name string
	args *[]string
}

// String is the wrapped value's; the flag package also calls it on a zero recorded (to find the
// default), whose Value is nil.
func (r *recorded) String() string {
	if r == nil || r.Value == nil {
		return ""
	}
	return r.Value.String()
}

func (r *recorded) Set(s string) error {
	if err := r.Value.Set(s); err != nil {
		return err
	}
	*r.args = append(*r.args, "--"+r.name+"="+s)
	return nil
}

// Unwrap is the recorded flag's own value.
func (r *recorded) Unwrap() flag.Value { return r.Value }

func (r *recorded) IsBoolFlag() bool {
	b, ok := r.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// StringList is a flag value of comma-separated words; each Set appends.
type StringList []string

func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set appends the comma-separated words of s.
func (l *StringList) Set(s string) error {
	for _, w := range strings.Split(s, ",") {
		if w = strings.TrimSpace(w); w == "" {
			return fmt.Errorf("empty item in %q", s)
		}
		*l = append(*l, w)
	}
	return nil
}

// Repeated is a flag value of whole words: each Set appends its argument as it is, commas included
// (--slurm-opt --mail-type=END,FAIL is one sbatch option).
type Repeated []string

func (l *Repeated) String() string { return strings.Join(*l, " ") }

// Set appends s.
func (l *Repeated) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// IntList is a flag value of comma-separated integers (a range a-b too: 0-4).
type IntList []int64

func (l *IntList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(s, ",")
}

// Set appends the comma-separated integers or ranges of s.
func (l *IntList) Set(s string) error {
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(w)
		if a, b, ok := strings.Cut(w, "-"); ok && a != "" {
			lo, err1 := strconv.ParseInt(a, 10, 64)
			hi, err2 := strconv.ParseInt(b, 10, 64)
			if err1 != nil || err2 != nil || hi < lo || hi-lo > 10000 {
				return fmt.Errorf("bad range %q", w)
			}
			for v := lo; v <= hi; v++ {
				*l = append(*l, v)
			}
			continue
		}
		v, err := strconv.ParseInt(w, 10, 64)
		if err != nil {
			return fmt.Errorf("want integers, got %q", w)
		}
		*l = append(*l, v)
	}
	return nil
}

// FloatList is a flag value of comma-separated numbers.
type FloatList []float64

func (l *FloatList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = fmtFloat(v)
	}
	return strings.Join(s, ",")
}

// Set appends the comma-separated numbers of s.
func (l *FloatList) Set(s string) error {
	for _, w := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if err != nil {
			return fmt.Errorf("want numbers, got %q", w)
		}
		*l = append(*l, v)
	}
	return nil
}
