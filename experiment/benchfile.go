package experiment

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gaeanas/gaeanas/spaces"
)

// BenchmarkFiles are the command-line flags that name the benchmark files of the registered spaces
// (spaces.Descriptor.BenchmarkFile: --nb101 FILE for NAS-Bench-1Shot1), by flag name.
type BenchmarkFiles map[string]*string

// AddBenchmarkFileFlags defines on fs one flag per benchmark file the registered spaces name (spaces
// sharing a file share its flag).
func AddBenchmarkFileFlags(fs *flag.FlagSet) BenchmarkFiles {
	files := BenchmarkFiles{}
	for _, f := range benchmarkFiles() {
		users := spaces.Which(func(d *spaces.Descriptor) bool { return d.BenchmarkFile != nil && d.BenchmarkFile.Flag == f.Flag })
		files[f.Flag] = fs.String(f.Flag, "", fmt.Sprintf("the %s file (%s) for the lookups of %s; default $%s",
			f.Title, f.File, strings.Join(users, ", "), f.Env))
	}
	return files
}

// benchmarkFiles lists the registered spaces' benchmark files, one per flag, sorted by flag.
func benchmarkFiles() []*spaces.BenchmarkFile {
	byFlag := map[string]*spaces.BenchmarkFile{}
	for _, d := range spaces.All() {
		if f := d.BenchmarkFile; f != nil && byFlag[f.Flag] == nil {
			byFlag[f.Flag] = f
		}
	}
	var out []*spaces.BenchmarkFile
	for _, f := range byFlag {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *spaces.BenchmarkFile) int { return strings.Compare(a.Flag, b.Flag) })
	return out
}

// Names are the flag names, sorted.
func (b BenchmarkFiles) Names() []string {
	var names []string
	for n := range b {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// For returns the benchmark file of the space d from the flags given (given: cli.Given's set), else
// from its environment variable, "" for none. A flag given for a space whose benchmark it is not, and a
// path (given or from the variable) that is not a file, are errors naming the flag or the variable.
func (b BenchmarkFiles) For(d *spaces.Descriptor, given map[string]bool) (string, error) {
	f := d.BenchmarkFile
	for _, name := range b.Names() {
		if given[name] && (f == nil || f.Flag != name) {
			users := spaces.Which(func(d *spaces.Descriptor) bool { return d.BenchmarkFile != nil && d.BenchmarkFile.Flag == name })
			return "", fmt.Errorf("--%s names the benchmark file of %s, not of %s", name, strings.Join(users, ", "), d.Name)
		}
	}
	if f == nil {
		return "", nil
	}
	path, from := os.Getenv(f.Env), "$"+f.Env
	if given[f.Flag] {
		path, from = *b[f.Flag], "--"+f.Flag
	}
	if path == "" && !given[f.Flag] {
		return "", nil
	}
	return path, checkFile(f, from, path)
}

// checkFile refuses a path of benchmark file f that is empty (a flag given "") or not a file, naming
// where the path came from (from: "--nb101" or "$GAEA_NB101").
func checkFile(f *spaces.BenchmarkFile, from, path string) error {
	if path == "" {
		return fmt.Errorf("%s: empty file name", from)
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: no such file (want the %s file %s)", from, path, f.Title, f.File)
	case st.IsDir():
		return fmt.Errorf("%s %s: a folder, want the %s file %s", from, path, f.Title, f.File)
	}
	return nil
}

// Export sets, for each flag given (given: cli.Given's set), the environment variable of its benchmark
// file, so that every lookup of this process — reports that read the variable too — opens that file. A
// path that is not a file is an error naming the flag.
func (b BenchmarkFiles) Export(given map[string]bool) error {
	for _, f := range benchmarkFiles() {
		if !given[f.Flag] {
			continue
		}
		path := *b[f.Flag]
		if err := checkFile(f, "--"+f.Flag, path); err != nil {
			return err
		}
		if err := os.Setenv(f.Env, path); err != nil {
			return err
		}
	}
	return nil
}
