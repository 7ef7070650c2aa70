// Package setting declares the settings of a run once. A settings struct (experiment.Settings of a
// search, trainer.Settings of a from-scratch training) is written to settings.json through its json
// tags; a Table binds one Decl per json key — the command-line flag, the unit, one line of help, the
// value's own validation and where its default comes from — and derives from it the key list, the
// flags, Get/Set by key, the per-value checks and `gaea presets`' columns.
//
// Errors about one value are *Error values that name the setting's key ("weight_lr must be a positive
// number, got -1"); a command line renders them with its flag names (Error.Flagged: "--weight-lr must
// be …"), so no library message names a flag.
package setting

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Where a setting's default comes from (Decl.Default).
const (
	FromPreset   = "preset"       // the preset table (per preset, space and algorithm), with sources
	FromProtocol = "protocol"     // the space's from-scratch protocol, with sources
	FromChoice   = "chosen"       // named by the caller (space, algorithm, preset)
	FromDerived  = "derived"      // follows from other settings; no flag
	CommandLine  = "command line" // the source recorded for a value given by the user
)

// Decl declares one setting.
type Decl struct {
	Key     string   // the settings.json key (the struct field's json tag)
	Flag    string   // the command-line flag; "" = Key with '-' for '_'; none when Default is FromDerived
	Aliases []string // further flag names, deprecated (their help says so; listings hide them)
	Unit    string   // unit of a number ("epochs", "images", "iterations"); "" for none
	Doc     string   // one line of help
	Default string   // where the default comes from: FromPreset, FromProtocol, FromChoice, FromDerived, or the value itself

	// The value's own validation. Integers: Min ≤ v ≤ Max (Max 0 = no bound above); a value given
	// on the command line must be at least GivenMin (0 is then only the table's "not used"). Numbers:
	// finite, ≥ 0, > 0 with Positive, < Below when Below is set. Strings: one of OneOf when set.
	Min, Max, GivenMin int
	Positive           bool
	Below              float64
	OneOf              []string
}

// FlagName is the setting's command-line flag, "" for a derived setting.
func (d Decl) FlagName() string {
	switch {
	case d.Default == FromDerived:
		return ""
	case d.Flag != "":
		return d.Flag
	}
	return strings.ReplaceAll(d.Key, "_", "-")
}

// Error is an error about one setting's value. Msg follows the key ("must be at least 1, got 0");
// Others are further keys that Msg names.
type Error struct {
	Key    string
	Msg    string
	Others []string
}

func (e *Error) Error() string { return join(e.Key, e.Msg) }

// join writes a key and a message: "key msg", or "key: msg" for a message that starts with ':'.
func join(key, msg string) string {
	if strings.HasPrefix(msg, ":") {
		return key + msg
	}
	return key + " " + msg
}

// Errorf returns an *Error for key.
func Errorf(key, format string, args ...any) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Flagged renders the error with flag names: flagOf(key) is a key's flag ("" keeps the key).
func (e *Error) Flagged(flagOf func(key string) string) string {
	name := func(k string) string {
		if f := flagOf(k); f != "" {
			return "--" + f
		}
		return k
	}
	msg := e.Msg
	for _, k := range e.Others {
		msg = strings.ReplaceAll(msg, k, name(k))
	}
	return join(name(e.Key), msg)
}

// Overrides are values given by the user (command-line flags), by settings key.
type Overrides map[string]any

// Table is the declarations of the settings struct T, bound to its fields by json key.
type Table[T any] struct {
	decls []Decl
	field map[string][]int // key → the field's index path in T
}

// NewTable binds the declarations to T's fields. It panics when a declared key has no field, when a
// field with a json key has no declaration (but those listed in undeclared), or when a key is
// declared twice: the table is the list of settings.
func NewTable[T any](undeclared []string, decls ...Decl) *Table[T] {
	t := &Table[T]{decls: decls, field: map[string][]int{}}
	var zero T
	typ := reflect.TypeOf(zero)
	fields := map[string][]int{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key != "" && key != "-" {
			fields[key] = f.Index
		}
	}
	for _, d := range decls {
		idx, ok := fields[d.Key]
		if !ok {
			panic(fmt.Sprintf("setting: %s: declared key %q has no field", typ, d.Key))
		}
		if _, dup := t.field[d.Key]; dup {
			panic(fmt.Sprintf("setting: %s: key %q declared twice", typ, d.Key))
		}
		t.field[d.Key] = idx
	}
	for key := range fields {
		if _, ok := t.field[key]; !ok && !slices.Contains(undeclared, key) {
			panic(fmt.Sprintf("setting: %s: field %q has no declaration", typ, key))
		}
	}
	return t
}

// Decls returns the declarations in their order.
func (t *Table[T]) Decls() []Decl { return t.decls }

// Keys returns the declared keys in their order.
func (t *Table[T]) Keys() []string {
	keys := make([]string, len(t.decls))
	for i, d := range t.decls {
		keys[i] = d.Key
	}
	return keys
}

// Decl returns the declaration of a key.
func (t *Table[T]) Decl(key string) (Decl, bool) {
	for _, d := range t.decls {
		if d.Key == key {
			return d, true
		}
	}
	return Decl{}, false
}

// FlagOf is the flag of a key: its declared flag, or the key with '-' for '_' for a key that is not
// declared (e.g. one that a caller's own flag sets).
func (t *Table[T]) FlagOf(key string) string {
	if d, ok := t.Decl(key); ok {
		if f := d.FlagName(); f != "" {
			return f
		}
	}
	return strings.ReplaceAll(key, "_", "-")
}

func (t *Table[T]) value(s *T, key string) (reflect.Value, error) {
	idx, ok := t.field[key]
	if !ok {
		return reflect.Value{}, fmt.Errorf("unknown setting %q", key)
	}
	return reflect.ValueOf(s).Elem().FieldByIndex(idx), nil
}

// Get returns the value of a key: an int, int64, float64, bool or string (a named string type's
// value as a string), as settings.json writes it.
func (t *Table[T]) Get(s *T, key string) (any, error) {
	v, err := t.value(s, key)
	if err != nil {
		return nil, err
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Int:
		return int(v.Int()), nil
	}
	return v.Interface(), nil
}

// Set sets the value of a key: an int or a float64 for a number (a float64 that is a whole number
// for an integer), a bool, a string.
func (t *Table[T]) Set(s *T, key string, x any) error {
	v, err := t.value(s, key)
	if err != nil {
		return err
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		switch n := x.(type) {
		case int:
			v.SetInt(int64(n))
		case int64:
			v.SetInt(n)
		case float64:
			if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return Errorf(key, "wants an integer, got %v", n)
			}
			v.SetInt(int64(n))
		default:
			return Errorf(key, "wants an integer, got %T", x)
		}
	case reflect.Float64:
		switch n := x.(type) {
		case float64:
			v.SetFloat(n)
		case int:
			v.SetFloat(float64(n))
		default:
			return Errorf(key, "wants a number, got %T", x)
		}
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return Errorf(key, "wants true or false, got %T", x)
		}
		v.SetBool(b)
	case reflect.String:
		str, ok := x.(string)
		if !ok {
			return Errorf(key, "wants a string, got %T", x)
		}
		v.SetString(str)
	case reflect.Map: // map[string]float64: names with a number each, "a=0.1,b=2" on a command line
		m, err := numbers(key, x)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(m))
	default:
		return fmt.Errorf("setting %q: field of kind %s", key, v.Kind())
	}
	return nil
}

// numbers reads a map of names to numbers: a map, or "name=number,…".
func numbers(key string, x any) (map[string]float64, error) {
	switch m := x.(type) {
	case map[string]float64:
		return m, nil
	case string:
		out := map[string]float64{}
		for _, item := range strings.Split(m, ",") {
			name, num, ok := strings.Cut(strings.TrimSpace(item), "=")
			f, err := strconv.ParseFloat(num, 64)
			if !ok || name == "" || err != nil {
				return nil, Errorf(key, "%q: want name=number, comma-separated", item)
			}
			if _, dup := out[name]; dup {
				return nil, Errorf(key, "%q is named twice", name)
			}
			out[name] = f
		}
		return out, nil
	}
	return nil, Errorf(key, "wants names with numbers, got %T", x)
}

// Check checks every value against its declaration, in the table's order; the error is an *Error.
func (t *Table[T]) Check(s *T) error {
	for _, d := range t.decls {
		v, _ := t.value(s, d.Key)
		if err := d.check(plain(v)); err != nil {
			return err
		}
	}
	return nil
}

// plain is a field's value as an int64, a float64, a bool or a string (named types unwrapped).
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		return v.Int()
	case reflect.Float64:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	case reflect.String:
		return v.String()
	}
	return v.Interface()
}

// CheckValue checks one value against the declaration of its key.
func (t *Table[T]) CheckValue(key string, v any) error {
	d, ok := t.Decl(key)
	if !ok {
		return fmt.Errorf("unknown setting %q", key)
	}
	return d.check(v)
}

// CheckGiven checks a value given on the command line beyond Check: integers at least GivenMin.
func (d Decl) CheckGiven(x any) error {
	if n, ok := x.(int); ok && d.GivenMin > 0 && n < d.GivenMin {
		return Errorf(d.Key, "must be at least %d, got %d", d.GivenMin, n)
	}
	return nil
}

func (d Decl) check(x any) error {
	switch v := x.(type) {
	case int:
		return d.checkInt(int64(v))
	case int64:
		return d.checkInt(v)
	case float64:
		word := "a number ≥ 0"
		if d.Positive {
			word = "a positive number"
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (d.Positive && v == 0) {
			return Errorf(d.Key, "must be %s, got %v", word, v)
		}
		if d.Below != 0 && v >= d.Below {
			return Errorf(d.Key, "must be below %v, got %v", d.Below, v)
		}
	case string:
		if len(d.OneOf) > 0 && !slices.Contains(d.OneOf, v) {
			return Errorf(d.Key, "%q: want %s", v, orList(d.OneOf))
		}
	case map[string]float64:
		for name, f := range v {
			if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
				return Errorf(d.Key, "%s=%v: want a number ≥ 0", name, f)
			}
		}
	}
	return nil
}

func (d Decl) checkInt(v int64) error {
	lo, hi := int64(d.Min), int64(d.Max)
	switch {
	case v < lo && lo > 0:
		return Errorf(d.Key, "must be at least %d, got %d", lo, v)
	case v < lo || (hi > 0 && v > hi):
		return Errorf(d.Key, "must be in [%d, %d], got %d", lo, hi, v)
	}
	return nil
}

// orList writes "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Help is a declaration's flag help: its doc, unit and where its default comes from.
func (d Decl) Help() string {
	h := d.Doc
	if d.Unit != "" {
		h += " (" + d.Unit + ")"
	}
	switch d.Default {
	case FromPreset:
		h += "; default from the preset (gaea presets)"
	case FromProtocol:
		h += "; default from the space's protocol (gaea presets --train)"
	}
	return h
}

// AddFlags defines a flag for every declaration that has one (and its aliases) on fs; the values
// given end up in over by key. A flag keeps the declared value unless given; a given value is parsed
// by the field's type (an integer, a number, true or false, a string). Keys in skip get no flag (the
// caller defines its own). Usage listings show the type's placeholder (int, float, string).
func (t *Table[T]) AddFlags(fs *flag.FlagSet, over Overrides, skip ...string) {
	var zero T
	for _, d := range t.decls {
		name := d.FlagName()
		if name == "" || slices.Contains(skip, d.Key) {
			continue
		}
		v, _ := t.value(&zero, d.Key)
		help := d.Help()
		if v.Kind() == reflect.Bool {
			help += ": --" + name + " or --" + name + " false"
		}
		for i, n := range append([]string{name}, d.Aliases...) {
			h := help
			if i > 0 {
				h = DeprecatedUsage + "--" + name
			}
			fs.Var(&given{key: d.Key, kind: v.Kind(), over: over, shown: placeholder(v.Kind())}, n, h)
		}
	}
}

// given is a flag value that parses a setting's value by its kind into Overrides.
type given struct {
	key   string
	kind  reflect.Kind
	over  Overrides
	shown flag.Value // a value of the flag package's own type, for the usage's placeholder
}

func (g *given) Set(s string) error {
	var x any
	switch g.kind {
	case reflect.Int, reflect.Int64:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		x = n
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		x = f
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		x = b
	case reflect.Map:
		m, err := numbers(g.key, s)
		if err != nil {
			return errors.New(strings.TrimPrefix(err.Error(), g.key+" "))
		}
		x = m
	default:
		x = s
	}
	g.over[g.key] = x
	return nil
}

// String is "" (the value comes from the preset or the protocol when not given); the flag package
// also calls it on a zero given.
func (g *given) String() string { return "" }

// IsBoolFlag makes a bare --name mean true for a boolean setting.
func (g *given) IsBoolFlag() bool { return g != nil && g.kind == reflect.Bool }

// Unwrap is a value of the flag package's type for the setting (usage listings name its placeholder).
func (g *given) Unwrap() flag.Value { return g.shown }

// placeholder is a zero flag value of the flag package's own type for a kind.
func placeholder(kind reflect.Kind) flag.Value {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	switch kind {
	case reflect.Int, reflect.Int64:
		fs.Int("v", 0, "")
	case reflect.Float64:
		fs.Float64("v", 0, "")
	case reflect.Bool:
		fs.Bool("v", false, "")
	default:
		fs.String("v", "", "")
	}
	return fs.Lookup("v").Value
}

// DeprecatedUsage starts the help of a flag kept only as an alias of another: it works, but usage
// listings leave it out.
const DeprecatedUsage = "deprecated alias of "
