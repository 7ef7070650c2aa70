package sweep

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gaeanas/gaeanas/rundir"
)

// ErrInterrupted is returned (wrapped) when the context was cancelled: the running cells were told to
// checkpoint (SIGTERM) and the sweep continues where it stopped when run again.
var ErrInterrupted = errors.New("interrupted")

// LocalOptions configure the local executor.
type LocalOptions struct {
	// Jobs is the number of cells run at a time (at least 1).
	Jobs int
	// Binary is the gaea executable the cells run; "" means this process's executable.
	Binary string
	// Log receives the progress lines and the failures; nil means none.
	Log io.Writer
	// Env, if not nil, is the cells' environment (default: this process's).
	Env []string
}

// Summary is what an executor did.
type Summary struct {
	Cells   int      `json:"cells"`
	Skipped int      `json:"skipped"` // finished before this run
	Done    int      `json:"done"`    // finished by this run
	Failed  []string `json:"failed"`  // names of the cells that failed
}

// RunLocal runs the cells that have no result.json yet, Jobs at a time, each as a child process
// `gaea search --out CELL …` (or `--resume CELL` for a started one) with its output in logs/CELL.log.
// A failing cell is reported and the others continue; the error then names the failed cells. When ctx
// is cancelled the running cells get SIGTERM (they save a checkpoint) and ErrInterrupted is returned.
func (s *Sweep) RunLocal(ctx context.Context, opt LocalOptions) (Summary, error) {
	sum := Summary{Cells: len(s.Spec.Cells)}
	if opt.Jobs < 1 {
		opt.Jobs = 1
	}
	bin := opt.Binary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return sum, err
		}
	}
	unlock, err := s.lock()
	if err != nil {
		return sum, err
	}
	defer unlock()
	if err := os.MkdirAll(s.Dir+"/"+LogDir, 0o755); err != nil {
		return sum, err
	}
	logf := func(format string, args ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format, args...)
		}
	}
	var todo []Cell
	for _, c := range s.Spec.Cells {
		if s.cellStatus(c).State == Done {
			sum.Skipped++
			continue
		}
		todo = append(todo, c)
	}
	logf("sweep %s: %d cells, %d finished before, %d to run, %d at a time\n", s.Dir, sum.Cells, sum.Skipped, len(todo), opt.Jobs)

	var mu sync.Mutex
	running := 0
	start := time.Now()
	var spent time.Duration // wall time of the cells finished by this run
	progress := func() {
		eta := ""
		if finished := sum.Done + len(sum.Failed); finished > 0 {
			left := len(todo) - finished
			per := spent / time.Duration(finished)
			eta = fmt.Sprintf(", ETA %s", (per * time.Duration((left+opt.Jobs-1)/opt.Jobs)).Round(time.Second))
		}
		logf("sweep: %d/%d done, %d running, %d failed%s [%s]\n", sum.Skipped+sum.Done, sum.Cells, running, len(sum.Failed), eta, time.Since(start).Round(time.Second))
	}
	jobs := make(chan Cell)
	var wg sync.WaitGroup
	for w := 0; w < opt.Jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Pdeathsig is tied to the thread that started the child.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for c := range jobs {
				mu.Lock()
				running++
				mu.Unlock()
				t0 := time.Now()
				err := s.runCell(ctx, bin, opt.Env, c)
				mu.Lock()
				running--
				switch {
				case ctx.Err() != nil:
					// interrupted: neither done nor failed; it resumes next time
				case err != nil:
					spent += time.Since(t0)
					sum.Failed = append(sum.Failed, c.Name)
					logf("sweep: cell %s failed: %v (log: %s)\n", c.Name, err, s.LogPath(c))
				default:
					spent += time.Since(t0)
					sum.Done++
				}
				if ctx.Err() == nil {
					progress()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, c := range todo {
		select {
		case jobs <- c:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		left := len(todo) - sum.Done - len(sum.Failed)
		return sum, fmt.Errorf("sweep %s: %w with %d cells left; run the same command again to continue", s.Dir, ErrInterrupted, left)
	}
	if len(sum.Failed) > 0 {
		return sum, fmt.Errorf("sweep %s: %d of %d cells failed: %s", s.Dir, len(sum.Failed), sum.Cells, strings.Join(sum.Failed, ", "))
	}
	return sum, nil
}

// runCell runs one cell's process with its output appended to its log. A failure is also written to
// logs/CELL.failed (removed when the cell next starts).
func (s *Sweep) runCell(ctx context.Context, bin string, env []string, c Cell) error {
	os.Remove(s.failedPath(c))
	s.waitCellFree(ctx, c, time.Minute)
	logFile, err := os.OpenFile(s.LogPath(c), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	args := s.SearchArgs(c)
	fmt.Fprintf(logFile, "# %s %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = env
	childAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return s.fail(c, err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			cmd.Process.Signal(syscall.SIGTERM) // the search checkpoints and exits
		case <-done:
		}
	}()
	err = cmd.Wait()
	close(done)
	if err != nil && ctx.Err() == nil {
		return s.fail(c, err)
	}
	return nil
}

func (s *Sweep) fail(c Cell, err error) error {
	msg := err.Error()
	if last := lastLine(s.LogPath(c)); last != "" {
		msg += ": " + last
	}
	os.WriteFile(s.failedPath(c), []byte(msg+"\n"), 0o644)
	return errors.New(msg)
}

// lastLine is the last non-empty line of a file.
func lastLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var last string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			last = t
		}
	}
	return last
}

// waitCellFree waits (at most max) while another process holds the cell's run folder, e.g. the search
// of a killed sweep that is still saving its checkpoint.
func (s *Sweep) waitCellFree(ctx context.Context, c Cell, max time.Duration) {
	path := filepath.Join(s.CellDir(c), ".lock")
	if _, err := os.Stat(path); err != nil {
		return
	}
	deadline := time.Now().Add(max)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if unlock, err := rundir.LockFile(path); err == nil {
			unlock()
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
