package setting

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

type sample struct {
	Name   string   `json:"name"`
	Level  kind     `json:"level"`
	Epochs int      `json:"epochs"`
	Seed   int64    `json:"seed"`
	LR     float64  `json:"lr"`
	Mom    float64  `json:"momentum"`
	Nest   bool     `json:"nesterov"`
	Extra  []string `json:"extra"`
	Hidden int      `json:"-"`
}

type kind string

func table() *Table[sample] {
	return NewTable[sample]([]string{"extra"},
		Decl{Key: "name", Default: FromChoice},
		Decl{Key: "level", OneOf: []string{"single", "bi"}, Default: FromPreset},
		Decl{Key: "epochs", Unit: "epochs", Doc: "epochs", Min: 1, Max: 10, Default: FromPreset},
		Decl{Key: "seed", Default: "1"},
		Decl{Key: "lr", Flag: "weight-lr", Aliases: []string{"lr"}, Positive: true, Default: FromProtocol},
		Decl{Key: "momentum", Below: 1},
		Decl{Key: "nesterov", Default: FromDerived},
	)
}

// TestNewTableRefuses: the table is the list of the struct's settings: a key without a field, a field
// without a declaration and a key declared twice are programming errors.
func TestNewTableRefuses(t *testing.T) {
	for name, decls := range map[string][]Decl{
		"no field":   {{Key: "name"}, {Key: "level"}, {Key: "epochs"}, {Key: "seed"}, {Key: "lr"}, {Key: "momentum"}, {Key: "nesterov"}, {Key: "nope"}},
		"undeclared": {{Key: "name"}},
		"twice":      {{Key: "name"}, {Key: "name"}, {Key: "level"}, {Key: "epochs"}, {Key: "seed"}, {Key: "lr"}, {Key: "momentum"}, {Key: "nesterov"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewTable did not panic", name)
				}
			}()
			NewTable[sample]([]string{"extra"}, decls...)
		}()
	}
}

// TestGetSetCheck: values by key in settings.json's types, the checks of one value, and errors that
// name the key.
func TestGetSetCheck(t *testing.T) {
	tb := table()
	s := sample{Name: "x", Level: "single", Epochs: 3, LR: 0.1}
	for key, v := range map[string]any{"epochs": 5, "seed": 7, "lr": 2, "momentum": 0.5, "nesterov": true, "level": "bi"} {
		if err := tb.Set(&s, key, v); err != nil {
			t.Fatalf("Set(%s, %v): %v", key, v, err)
		}
	}
	if s.Epochs != 5 || s.Seed != 7 || s.LR != 2 || !s.Nest || s.Level != "bi" {
		t.Errorf("after Set: %+v", s)
	}
	if v, _ := tb.Get(&s, "level"); v != "bi" {
		t.Errorf("Get(level) = %#v, want the string bi", v)
	}
	if v, _ := tb.Get(&s, "epochs"); v != 5 {
		t.Errorf("Get(epochs) = %#v, want the int 5", v)
	}
	for key, v := range map[string]any{"epochs": 2.5, "lr": "fast", "nesterov": 1, "name": 3, "nope": 1} {
		if err := tb.Set(&s, key, v); err == nil {
			t.Errorf("Set(%s, %v): no error", key, v)
		}
	}
	for _, c := range []struct {
		change func(*sample)
		want   string
	}{
		{func(s *sample) {}, ""},
		{func(s *sample) { s.Epochs = 0 }, "epochs must be at least 1, got 0"},
		{func(s *sample) { s.Epochs = 11 }, "epochs must be in [1, 10], got 11"},
		{func(s *sample) { s.LR = 0 }, "lr must be a positive number, got 0"},
		{func(s *sample) { s.Mom = -1 }, "momentum must be a number ≥ 0, got -1"},
		{func(s *sample) { s.Mom = 1 }, "momentum must be below 1, got 1"},
		{func(s *sample) { s.Level = "tri" }, `level "tri": want single or bi`},
	} {
		s := sample{Name: "x", Level: "single", Epochs: 3, LR: 0.1}
		c.change(&s)
		err := tb.Check(&s)
		var se *Error
		switch {
		case c.want == "" && err != nil:
			t.Errorf("valid settings: %v", err)
		case c.want != "" && (err == nil || err.Error() != c.want || !errors.As(err, &se)):
			t.Errorf("error %v, want the *Error %q", err, c.want)
		}
	}
}

// TestAddFlags: one flag per declaration with a flag (a derived setting has none), aliases, a bare
// boolean, values parsed by the field's type into Overrides, placeholders of the field's type.
func TestAddFlags(t *testing.T) {
	tb := table()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	over := Overrides{}
	tb.AddFlags(fs, over, "name")
	if fs.Lookup("name") != nil || fs.Lookup("nesterov") != nil || fs.Lookup("weight-lr") == nil || fs.Lookup("lr") == nil {
		t.Fatal("flags: want weight-lr and lr, no name (skipped) and no nesterov (derived)")
	}
	if err := fs.Parse([]string{"--epochs", "3", "--lr=0.5", "--level", "bi", "--seed", "9"}); err != nil {
		t.Fatal(err)
	}
	if over["epochs"] != 3 || over["lr"] != 0.5 || over["level"] != "bi" || over["seed"] != 9 || len(over) != 4 {
		t.Errorf("overrides %#v", over)
	}
	if err := fs.Parse([]string{"--epochs", "x"}); err == nil || !strings.Contains(err.Error(), "want an integer") {
		t.Errorf("--epochs x: %v", err)
	}
	if _, ok := fs.Lookup("epochs").Value.(interface{ Unwrap() flag.Value }); !ok {
		t.Error("a setting's flag value does not name its placeholder type")
	}
}

// TestFlagged: an error names its key in the library and its flag on the command line, with the
// other keys its message names.
func TestFlagged(t *testing.T) {
	flagOf := table().FlagOf
	for _, c := range []struct {
		err       *Error
		lib, flag string
	}{
		{Errorf("epochs", "must be at least 1, got 0"), "epochs must be at least 1, got 0", "--epochs must be at least 1, got 0"},
		{&Error{Key: "lr", Msg: "1 is above epochs 0.1", Others: []string{"epochs"}}, "lr 1 is above epochs 0.1", "--weight-lr 1 is above --epochs 0.1"},
		{Errorf("seed", ": bad"), "seed: bad", "--seed: bad"},
	} {
		if c.err.Error() != c.lib || c.err.Flagged(flagOf) != c.flag {
			t.Errorf("%q / %q, want %q / %q", c.err.Error(), c.err.Flagged(flagOf), c.lib, c.flag)
		}
	}
}
