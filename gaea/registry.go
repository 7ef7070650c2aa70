package gaea

import (
	"fmt"
	"strings"
	"sync"
)

// registry is a table of named constructors (the geometries', the regularisers'): canonical names in
// registration order (the shipped ones first), each with its aliases.
type registry[T any] struct {
	kind      string // "geometry", "regularizer": for messages
	nameOf    func(T) string
	mu        sync.RWMutex
	names     []string            // canonical names, in registration order
	makers    map[string]func() T // by canonical name
	canonical map[string]string   // canonical name or alias → canonical name
}

func newRegistry[T any](kind string, nameOf func(T) string) *registry[T] {
	return &registry[T]{kind: kind, nameOf: nameOf, makers: map[string]func() T{}, canonical: map[string]string{}}
}

// register adds a constructor under name and its aliases. It panics — as database/sql.Register does —
// on a bad or taken name, a nil constructor, or one whose value does not carry the name it is
// registered under: registration happens once, at program start, and a mistake there is a bug.
func (r *registry[T]) register(name string, mk func() T, aliases ...string) {
	if mk == nil {
		panic(fmt.Sprintf("gaea: Register%s(%q): nil constructor", title(r.kind), name))
	}
	for _, n := range append([]string{name}, aliases...) {
		if err := checkName(r.kind, n); err != nil {
			panic(fmt.Sprintf("gaea: Register%s: %v", title(r.kind), err))
		}
	}
	if got := r.nameOf(mk()); got != name {
		panic(fmt.Sprintf("gaea: Register%s(%q): the constructor's %s is named %q (Name() must return the registered name)",
			title(r.kind), name, r.kind, got))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range append([]string{name}, aliases...) {
		if c, ok := r.canonical[n]; ok {
			panic(fmt.Sprintf("gaea: Register%s: %q is already registered (as %q)", title(r.kind), n, c))
		}
	}
	r.names = append(r.names, name)
	r.makers[name] = mk
	for _, n := range append([]string{name}, aliases...) {
		r.canonical[n] = name
	}
}

// get returns a new value of the canonical name or alias.
func (r *registry[T]) get(name string) (T, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if c, ok := r.canonical[name]; ok {
		return r.makers[c](), nil
	}
	var zero T
	return zero, fmt.Errorf("gaea: unknown %s %q (registered: %s)", r.kind, name, strings.Join(r.names, ", "))
}

// list returns the canonical names in registration order.
func (r *registry[T]) list() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.names...)
}

// checkName accepts the names of geometries and regularisers: a lower-case letter, then lower-case
// letters, digits, '-' and '_' (they become variable names, JSON keys and command-line values).
func checkName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s name", kind)
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_')
		if !ok {
			return fmt.Errorf("%s name %q: want a lower-case letter, then lower-case letters, digits, '-' or '_'", kind, name)
		}
	}
	return nil
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
