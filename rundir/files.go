package rundir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// WriteJSON writes v as indented JSON to path through a synced temporary file and a rename, so the
// file is either the old one or the whole new one.
func WriteJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(raw, '\n'))
}

// WriteFileAtomic writes b to path through a synced temporary file and a rename.
func WriteFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name()) // e.g. path is a folder: leave nothing behind
		return err
	}
	return nil
}

// ReadJSON reads the JSON file at path into v; a decoding error names the file and says in words
// what is wrong (JSONError).
func ReadJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %s", path, JSONError(raw, err))
	}
	return nil
}

// JSONError says in words what is wrong with the JSON document raw that failed to decode with err: the
// line of a syntax error, or the key whose value has the wrong type and the type wanted ("key "algos":
// want a list of strings, got a string") — not Go's struct and field names.
func JSONError(raw []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count(raw[:min(int(syn.Offset), len(raw))], []byte("\n"))
		return fmt.Sprintf("not valid JSON (line %d: %s)", line, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		key := typ.Field
		if key == "" {
			return fmt.Sprintf("want %s, got a JSON %s", jsonTypeName(typ.Type), typ.Value)
		}
		return fmt.Sprintf("key %q: want %s, got a JSON %s", key, jsonTypeName(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "not valid JSON (it ends too early)"
	case errors.Is(err, io.EOF):
		return "empty (no JSON value)"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if k, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return "unknown key " + k
	}
	return msg
}

// jsonTypeName names the JSON form of a Go type: a list of strings, an integer, an object, ….
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		elem := strings.TrimPrefix(strings.TrimPrefix(jsonTypeName(t.Elem()), "a "), "an ")
		switch elem {
		case "true or false":
			elem = "boolean"
		case "list of strings", "list":
			elem = "list"
		}
		if !strings.HasSuffix(elem, "s") {
			elem += "s"
		}
		return "a list of " + elem
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "a value of another type"
}

// Lines is an append-only JSON-lines file (history.jsonl). Opening it rewrites it with the records
// of the checkpoint, so it never holds steps the checkpoint does not.
type Lines struct{ f *os.File }

// OpenLines (re)writes the JSON-lines file at path with records and opens it for appending.
func OpenLines[T any](path string, records []T) (*Lines, error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	if f, err = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return nil, err
	}
	return &Lines{f}, nil
}

// Append writes records at the end of the file.
func Append[T any](h *Lines, records []T) error {
	enc := json.NewEncoder(h.f)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the file.
func (h *Lines) Close() error { return h.f.Close() }

// ReadJSONLines reads a JSON-lines file such as history.jsonl.
func ReadJSONLines[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for line := 1; sc.Scan(); line++ {
		var r T
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, line, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// Claim makes the run folder dir and takes its lock; a new run (resuming false) refuses a folder that
// holds one (ErrRunExists).
func Claim(dir string, resuming bool) (unlock func(), err error) {
	if !resuming && Exists(filepath.Join(dir, SettingsFile)) {
		return nil, fmt.Errorf("%s: %w (continue it with --resume %s, or choose another folder)", dir, ErrRunExists, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return Lock(dir)
}

// Lock takes an exclusive lock on dir/.lock for the life of the process (or until unlock is
// called). It fails at once, with ErrLocked, if another process holds it.
func Lock(dir string) (unlock func(), err error) { return LockFile(filepath.Join(dir, ".lock")) }

// LockFile takes an exclusive advisory lock (flock) on the file at path, creating it if needed, until
// unlock is called or the process ends. It fails at once with an error wrapping ErrLocked when another
// process holds it. On systems without flock it always succeeds.
func LockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Dir(path), ErrLocked)
	}
	return func() { funlock(f); f.Close() }, nil
}

// Exists reports whether there is a file or folder at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
