package sweep

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/viz"
	"gonum.org/v1/plot/plotter"
)

func TestExpand(t *testing.T) {
	s := Spec{Algos: []string{"gaea-darts", "darts"}, Seeds: []int64{0, 1}, Spaces: []string{"tiny"},
		ArchLRs: []float64{0.1, 0.3}, Args: []string{"--epochs=2"}}
	if err := s.Expand(); err != nil {
		t.Fatal(err)
	}
	if len(s.Cells) != 8 {
		t.Fatalf("%d cells, want 8", len(s.Cells))
	}
	c := s.Cells[3]
	if c.Name != "tiny-gaea-darts-lr0.3-s1" {
		t.Errorf("name %q", c.Name)
	}
	want := []string{"--space", "tiny", "--algo", "gaea-darts", "--seed", "1", "--arch-lr", "0.3", "--epochs=2"}
	if !reflect.DeepEqual(c.Args, want) {
		t.Errorf("args %q, want %q", c.Args, want)
	}
	for _, bad := range []Spec{
		{},
		{Algos: []string{"a", "a"}},
		{Algos: []string{"a"}, Seeds: []int64{1, 1}},
		{Algos: []string{"a"}, Args: []string{"--seed=3"}},
		{Algos: []string{"a"}, ArchLRs: []float64{0.1}, Args: []string{"--arch-lr=3"}},
		{Algos: []string{"a"}, ArchLRs: []float64{-1}},
	} {
		if err := bad.Expand(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestOpenContinues(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	spec := Spec{Algos: []string{"darts"}, Seeds: []int64{0, 1}, Spaces: []string{"tiny"}}
	if _, err := Open(dir, &spec); err != nil {
		t.Fatal(err)
	}
	if sw, err := Open(dir, nil); err != nil || len(sw.Spec.Cells) != 2 {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := Open(dir, &spec); err != nil {
		t.Errorf("same grid: %v", err)
	}
	other := Spec{Algos: []string{"gdas"}, Spaces: []string{"tiny"}}
	if _, err := Open(dir, &other); err == nil {
		t.Errorf("a different grid was accepted")
	}
}

// TestSlurmScript runs the job script with bash for two array tasks, with echo as the gaea binary.
func TestSlurmScript(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	sw, err := Open(dir, &Spec{Algos: []string{"gaea-darts", "darts"}, Seeds: []int64{5}, Spaces: []string{"tiny"},
		Args: []string{"--data-dir=/data/it's here"}})
	if err != nil {
		t.Fatal(err)
	}
	script, err := sw.SlurmScript(SlurmOptions{Binary: "/bin/echo", Time: "0:10:00", CPUs: 2, Mem: "2G", MaxParallel: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#SBATCH --array=0-1%1\n", "#SBATCH --time=0:10:00\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --mem=2G\n", "#SBATCH --requeue\n"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	path := filepath.Join(dir, "job.sh")
	os.WriteFile(path, []byte(script), 0o755)
	run := func(task string) string {
		cmd := exec.Command("bash", path)
		cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID="+task)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("task %s: %v\n%s", task, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return lines[len(lines)-1]
	}
	abs, _ := filepath.Abs(dir)
	if got, want := run("1"), "search --out "+abs+"/tiny-darts-s5 --space tiny --algo darts --seed 5 --data-dir=/data/it's here"; got != want {
		t.Errorf("task 1 runs %q, want %q", got, want)
	}
	// A started cell resumes; a finished one is skipped.
	os.MkdirAll(filepath.Join(dir, "tiny-gaea-darts-s5"), 0o755)
	os.WriteFile(filepath.Join(dir, "tiny-gaea-darts-s5", "settings.json"), []byte("{}"), 0o644)
	if got, want := run("0"), "search --resume "+abs+"/tiny-gaea-darts-s5"; got != want {
		t.Errorf("task 0 runs %q, want %q", got, want)
	}
	os.WriteFile(filepath.Join(dir, "tiny-gaea-darts-s5", "result.json"), []byte("{}"), 0o644)
	if got := run("0"); got != "finished already" {
		t.Errorf("finished task 0: %q", got)
	}
	if s, _ := sw.SlurmScript(SlurmOptions{Binary: "/bin/echo"}, nil); !strings.Contains(s, "#SBATCH --array=1\n") {
		t.Errorf("a finished cell is in the array:\n%s", s)
	}
}

func TestJoinRanges(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{{[]int{0}, "0"}, {[]int{0, 1, 2, 3}, "0-3"}, {[]int{0, 2, 3, 5, 7, 8, 9}, "0,2-3,5,7-9"}} {
		if got := joinRanges(c.in); got != c.want {
			t.Errorf("joinRanges(%v) = %q, want %q", c.in, got, c.want)
		}
		if back := parseRanges(c.want); !reflect.DeepEqual(back, c.in) {
			t.Errorf("parseRanges(%q) = %v, want %v", c.want, back, c.in)
		}
	}
}

func TestMeanBand(t *testing.T) {
	a := plotter.XYs{{X: 1, Y: 1}, {X: 3, Y: 3}, {X: 5, Y: 5}}
	b := plotter.XYs{{X: 2, Y: 2}, {X: 4, Y: 4}}
	mean, lo, hi := viz.MeanBand([]plotter.XYs{a, b})
	// x = 1: only a (1); 2: a 1, b 2; 3: 3, 2; 4: 3, 4. The shorter series ends at 4.
	want := []float64{1, 1.5, 2.5, 3.5}
	if len(mean) != len(want) {
		t.Fatalf("mean %v", mean)
	}
	for i, w := range want {
		if mean[i].Y != w || mean[i].X != float64(i+1) {
			t.Errorf("mean[%d] = %v, want (%d, %v)", i, mean[i], i+1, w)
		}
	}
	if d := hi[1].Y - mean[1].Y; d < 0.7071 || d > 0.7072 || lo[0].Y != 1 {
		t.Errorf("band: lo %v hi %v", lo, hi)
	}
}
