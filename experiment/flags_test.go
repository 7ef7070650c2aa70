package experiment

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/setting"
)

// CheckSearchArgs refuses what gaea search would refuse before it starts, and takes what it runs.
func TestCheckSearchArgs(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"--space", "tiny", "--algo", "darts", "--epochs=2"},
		{"--space=darts", "--algo=gaea-pcdarts", "--preset=quick"},
		{"--nesterov=false", "--augment-arch", "--backend=xla:cuda", "--data-dir=/data"},
		{"--dataset=imagenet16-120", "--level=bi"},
	} {
		if err := CheckSearchArgs(args); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--epochs=abc"}, `invalid value "abc" for flag -epochs`},
		{[]string{"--epochs=-3"}, "epochs must be at least 1, got -3"},
		{[]string{"--algo=foo"}, `algo "foo"`},
		{[]string{"--space=foo"}, `space "foo": want one of darts, nb201, tiny`},
		{[]string{"--preset=fast"}, `preset "fast"`},
		{[]string{"--algo=pcdarts"}, "needs the darts space"},
		{[]string{"--backend=tpu"}, "--backend: unknown backend"},
		{[]string{"--data-dir="}, "--data-dir '': empty value"},
		{[]string{"--train-images=4"}, "flag provided but not defined"},
		{[]string{"--out=x"}, "flag provided but not defined: -out"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		err := CheckSearchArgs(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", c.args, err, c.want)
		}
		// A value's error names its settings key (the command line renders it with the flag).
		var se *setting.Error
		for _, key := range []string{"epochs", "algo", "space", "preset"} {
			if strings.HasPrefix(c.want, key+" ") && (!errors.As(err, &se) || se.Key != key) {
				t.Errorf("%q: %v is no *setting.Error of %s", c.args, err, key)
			}
		}
	}
}

// The flags of derived settings are not defined (they were listed and always refused).
func TestNoFlagsForDerivedSettings(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	AddFlags(fs)
	for _, name := range []string{"train-images", "valid-images", "arch-optimizer"} {
		if fs.Lookup(name) != nil {
			t.Errorf("--%s is defined", name)
		}
	}
	if err := (&Settings{}).Apply(Overrides{"train_images": 5}); err == nil {
		t.Error("Apply took train_images")
	}
}

// JSONError says what is wrong with a JSON document in words: no Go type or field names.
func TestJSONError(t *testing.T) {
	for _, c := range []struct {
		doc  string
		v    any
		want string
	}{
		{`{"epochs": "3"}`, &Settings{}, `key "epochs": want an integer, got a JSON string`},
		{`{"checkpoint_every": "1"}`, &Settings{}, `key "checkpoint_every": want an integer, got a JSON string`},
		{`{"checkpoint_every": 1}`, &struct {
			C string `json:"checkpoint_every"`
		}{}, `key "checkpoint_every": want a string, got a JSON number`},
		{`{"nesterov": 1}`, &Settings{}, `key "nesterov": want true or false, got a JSON number`},
		{`{"sources": []}`, &Settings{}, `key "sources": want an object, got a JSON array`},
		{`[1]`, &Settings{}, "want an object, got a JSON array"},
		{"{\n\"epochs\": 3,\n}", &Settings{}, "not valid JSON (line 3"},
		{`{"epochs": 3`, &Settings{}, "not valid JSON"},
	} {
		err := json.Unmarshal([]byte(c.doc), c.v)
		if err == nil {
			t.Fatalf("%s: no error", c.doc)
		}
		got := rundir.JSONError([]byte(c.doc), err)
		if !strings.Contains(got, c.want) || strings.Contains(got, "Go ") || strings.Contains(got, "plain.") {
			t.Errorf("%s: %q, want %q", c.doc, got, c.want)
		}
	}
}
