package sweep

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/rundir"
)

// Files the Slurm executor writes in the sweep folder.
const (
	SlurmScriptFile = "sweep.sbatch"
	SlurmJobFile    = "slurm.json"
)

// SlurmOptions are the resources of each array task and how the array is submitted.
type SlurmOptions struct {
	Binary      string   // gaea executable the tasks run (an absolute path every node sees); "" = this one
	JobName     string   // default gaea-sweep
	Partition   string   // "" = the cluster's default
	Account     string   // "" = none
	Time        string   // time limit per task (Slurm syntax, e.g. 4:00:00); "" = the partition's
	CPUs        int      // CPUs per task (0 = Slurm's default)
	Mem         string   // memory per task, e.g. 8G; "" = the partition's default
	GPUs        int      // GPUs per task (--gres=gpu:N); 0 = none
	MaxParallel int      // at most this many tasks at a time (0 = no limit)
	Extra       []string // further #SBATCH lines, e.g. "--qos=long"
}

var (
	// slurmTimeRE is Slurm's --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
	// days-hours:minutes, days-hours:minutes:seconds, or unlimited.
	slurmTimeRE = regexp.MustCompile(`^(\d+(:\d{1,2}){0,2}|\d+-\d+(:\d{1,2}){0,2}|(?i:unlimited|infinite))$`)
	// slurmMemRE is Slurm's --mem: a size with an optional unit.
	slurmMemRE = regexp.MustCompile(`^\d+[KMGTkmgt]?[Bb]?$`)
	// slurmNameRE is a partition, account or job name (a partition may be a comma-separated list).
	slurmNameRE = regexp.MustCompile(`^[A-Za-z0-9_.,:+@-]+$`)
)

// slurmOwnOptions are the sbatch options the script sets itself, with the flag that sets each where
// there is one: SlurmOptions.Extra may not repeat them.
var slurmOwnOptions = map[string]string{
	"--array": "", "-a": "", "--output": "", "-o": "", "--error": "", "-e": "", "--chdir": "", "-D": "",
	"--ntasks": "", "-n": "", "--requeue": "", "--no-requeue": "", "--open-mode": "", "--signal": "",
	"--job-name": "--slurm-job-name", "-J": "--slurm-job-name", "--partition": "--slurm-partition", "-p": "--slurm-partition",
	"--account": "--slurm-account", "-A": "--slurm-account", "--time": "--slurm-time", "-t": "--slurm-time",
	"--cpus-per-task": "--slurm-cpus", "-c": "--slurm-cpus", "--mem": "--slurm-mem", "--gres": "--slurm-gpus",
}

// Check refuses options sbatch would refuse (or that would make a broken script), naming the flag of
// gaea sweep that sets each: a time or memory not in Slurm's form, a negative count, a name with
// spaces or quotes, an extra option that is not one "--name[=value]" word or that the script sets
// itself.
func (o SlurmOptions) Check() error {
	if o.Time != "" && !slurmTimeRE.MatchString(o.Time) {
		return fmt.Errorf("--slurm-time %q: want minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 4:00:00)", text.Abbrev(o.Time))
	}
	if o.Mem != "" && !slurmMemRE.MatchString(o.Mem) {
		return fmt.Errorf("--slurm-mem %q: want a size such as 8G, 16000M or 4096", text.Abbrev(o.Mem))
	}
	for _, c := range []struct {
		flag string
		v    int
	}{{"--slurm-cpus", o.CPUs}, {"--slurm-gpus", o.GPUs}, {"--slurm-max-parallel", o.MaxParallel}} {
		if c.v < 0 || c.v > 1<<20 {
			return fmt.Errorf("%s %d: want a count ≥ 0 (0: Slurm's default)", c.flag, c.v)
		}
	}
	for _, c := range []struct{ flag, v string }{{"--slurm-partition", o.Partition}, {"--slurm-account", o.Account}, {"--slurm-job-name", o.JobName}} {
		if c.v != "" && !slurmNameRE.MatchString(c.v) {
			return fmt.Errorf("%s %q: want letters, digits and . _ - , : + @ only", c.flag, text.Abbrev(c.v))
		}
	}
	for _, e := range o.Extra {
		name, _, _ := strings.Cut(e, "=")
		switch {
		case !strings.HasPrefix(e, "-") || len(e) < 2:
			return fmt.Errorf("--slurm-opt %q: want one sbatch option, e.g. --qos=long", text.Abbrev(e))
		case strings.ContainsAny(e, "\n\r\t '\"\\$`#"):
			return fmt.Errorf("--slurm-opt %q: one word without spaces, quotes or #, e.g. --qos=long", text.Abbrev(e))
		}
		if flag, own := slurmOwnOptions[name]; own {
			if flag != "" {
				return fmt.Errorf("--slurm-opt %s: use %s", text.Abbrev(name), flag)
			}
			return fmt.Errorf("--slurm-opt %s: the sweep's script sets it itself", text.Abbrev(name))
		}
	}
	return nil
}

// SlurmJob is slurm.json: the last submitted array.
type SlurmJob struct {
	JobID     string `json:"job_id"`
	Array     string `json:"array"` // the array indices submitted (cells without result.json)
	Script    string `json:"script"`
	Submitted string `json:"submitted"`
}

// SlurmScript is a job-array script that runs the cells whose indices are in array (nil: every cell
// without result.json): array task i runs cell i, `gaea search --out CELL …`, or `--resume CELL` when
// the cell's folder already holds a run (a requeued or resubmitted task), and does nothing for a
// finished cell. SIGTERM reaches gaea two minutes before the time limit, so it saves a checkpoint.
func (s *Sweep) SlurmScript(opt SlurmOptions, array []int) (string, error) {
	if err := opt.Check(); err != nil {
		return "", fmt.Errorf("sweep: %w", err)
	}
	bin := opt.Binary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return "", err
		}
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	dir, err := filepath.Abs(s.Dir)
	if err != nil {
		return "", err
	}
	if array == nil {
		array = s.unfinished()
	}
	if len(array) == 0 {
		return "", fmt.Errorf("sweep %s: every cell is finished; nothing to submit", s.Dir)
	}
	name := opt.JobName
	if name == "" {
		name = "gaea-sweep"
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "# gaea sweep: %d cells of %s (written %s)\n", len(s.Spec.Cells), dir, time.Now().UTC().Format(time.RFC3339))
	line := func(format string, args ...any) { fmt.Fprintf(&b, "#SBATCH "+format+"\n", args...) }
	line("--job-name=%s", safeName(name))
	arr := joinRanges(array)
	if opt.MaxParallel > 0 {
		arr += "%" + strconv.Itoa(opt.MaxParallel)
	}
	line("--array=%s", arr)
	line("--output=%s", filepath.Join(dir, LogDir, "slurm-%A_%a.out"))
	line("--chdir=%s", dir)
	line("--ntasks=1")
	line("--requeue")
	line("--open-mode=append")
	line("--signal=B:TERM@120")
	if opt.Partition != "" {
		line("--partition=%s", opt.Partition)
	}
	if opt.Account != "" {
		line("--account=%s", opt.Account)
	}
	if opt.Time != "" {
		line("--time=%s", opt.Time)
	}
	if opt.CPUs > 0 {
		line("--cpus-per-task=%d", opt.CPUs)
	}
	if opt.Mem != "" {
		line("--mem=%s", opt.Mem)
	}
	if opt.GPUs > 0 {
		line("--gres=gpu:%d", opt.GPUs)
	}
	for _, e := range opt.Extra {
		line("%s", e)
	}
	fmt.Fprintf(&b, "set -u\nGAEA=%s\nSWEEP=%s\n", shellQuote(bin), shellQuote(dir))
	b.WriteString("case \"${SLURM_ARRAY_TASK_ID:?not an array task}\" in\n")
	for i, c := range s.Spec.Cells {
		args := make([]string, len(c.Args))
		for j, a := range c.Args {
			args[j] = shellQuote(a)
		}
		fmt.Fprintf(&b, "  %d) CELL=%s; ARGS=(%s) ;;\n", i, shellQuote(c.Name), strings.Join(args, " "))
	}
	b.WriteString("  *) echo \"gaea sweep: no cell $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n")
	fmt.Fprintf(&b, `DIR="$SWEEP/$CELL"
echo "gaea sweep: task $SLURM_ARRAY_TASK_ID (job ${SLURM_JOB_ID:-?}, restart ${SLURM_RESTART_COUNT:-0}) → $DIR on $(hostname)"
rm -f "$SWEEP/%s/$CELL%s"
if [ -e "$DIR/%s" ]; then echo "finished already"; exit 0; fi
if [ -e "$DIR/%s" ]; then exec "$GAEA" search --resume "$DIR"; fi
exec "$GAEA" search --out "$DIR" "${ARGS[@]}"
`, LogDir, failedExt, rundir.ResultFile, rundir.SettingsFile)
	return b.String(), nil
}

func (s *Sweep) unfinished() []int {
	var idx []int
	for i, c := range s.Spec.Cells {
		if !rundir.Exists(filepath.Join(s.CellDir(c), rundir.ResultFile)) {
			idx = append(idx, i)
		}
	}
	return idx
}

// SubmitSlurm writes sweep.sbatch for the unfinished cells and submits it with sbatch; slurm.json
// records the job id.
func (s *Sweep) SubmitSlurm(ctx context.Context, opt SlurmOptions) (*SlurmJob, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	active := 0
	for _, st := range s.SlurmStates(ctx) {
		if st == "PENDING" || st == "RUNNING" || st == "CONFIGURING" || st == "COMPLETING" || st == "REQUEUED" || st == "SUSPENDED" {
			active++
		}
	}
	if active > 0 {
		var job SlurmJob
		rundir.ReadJSON(filepath.Join(s.Dir, SlurmJobFile), &job)
		return nil, fmt.Errorf("sweep %s: %w: job %s still has %d array tasks queued or running (wait for them, or scancel %s)", s.Dir, ErrBusy, job.JobID, active, job.JobID)
	}
	array := s.unfinished()
	script, err := s.SlurmScript(opt, array)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(s.Dir, SlurmScriptFile)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return nil, fmt.Errorf("sweep: sbatch not found (is this a Slurm login node?); the script is %s", path)
	}
	out, err := exec.CommandContext(ctx, "sbatch", "--parsable", path).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			msg += ": " + strings.TrimSpace(string(ee.Stderr))
		}
		return nil, fmt.Errorf("sweep: sbatch %s: %s", path, msg)
	}
	id := strings.TrimSpace(string(out))
	if i := strings.IndexByte(id, ';'); i >= 0 { // "jobid;cluster"
		id = id[:i]
	}
	job := &SlurmJob{JobID: id, Array: joinRanges(array), Script: path, Submitted: time.Now().UTC().Format(time.RFC3339)}
	return job, rundir.WriteJSON(filepath.Join(s.Dir, SlurmJobFile), job)
}

// SlurmStates asks squeue (pending and running tasks) and sacct (finished ones, where accounting is
// on) about the last submitted array: the state of each cell index. Without slurm.json or the
// commands it returns nil.
func (s *Sweep) SlurmStates(ctx context.Context) map[int]string {
	states, _, _ := s.slurmStates(ctx)
	return states
}

// slurmStates is SlurmStates, with the last submitted job and whether squeue answered (then a task
// of the job it does not list is no longer queued or running).
func (s *Sweep) slurmStates(ctx context.Context) (map[int]string, *SlurmJob, bool) {
	var job SlurmJob
	if rundir.ReadJSON(filepath.Join(s.Dir, SlurmJobFile), &job) != nil || job.JobID == "" {
		return nil, nil, false
	}
	states := map[int]string{}
	parse := func(id, state string) {
		_, task, ok := strings.Cut(strings.TrimSpace(id), "_")
		if !ok || strings.Contains(task, ".") {
			return
		}
		if i, err := strconv.Atoi(task); err == nil {
			states[i] = strings.Fields(state + " ")[0]
		}
	}
	if _, err := exec.LookPath("sacct"); err == nil {
		out, err := exec.CommandContext(ctx, "sacct", "-n", "-P", "-X", "-j", job.JobID, "-o", "JobID,State").Output()
		if err == nil {
			for _, l := range strings.Split(string(out), "\n") {
				if id, st, ok := strings.Cut(l, "|"); ok {
					parse(id, st)
				}
			}
		}
	}
	queued := false
	if _, err := exec.LookPath("squeue"); err == nil {
		out, err := exec.CommandContext(ctx, "squeue", "-h", "-r", "-j", job.JobID, "-o", "%i|%T").Output()
		if err == nil {
			queued = true
			for _, l := range strings.Split(string(out), "\n") {
				if id, st, ok := strings.Cut(l, "|"); ok {
					parse(id, st)
				}
			}
		}
	}
	return states, &job, queued
}

// joinRanges writes increasing indices as Slurm's array list: 0-3,5,7-8.
func joinRanges(v []int) string {
	var parts []string
	for i := 0; i < len(v); {
		j := i
		for j+1 < len(v) && v[j+1] == v[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", v[i], v[j]))
		} else {
			parts = append(parts, strconv.Itoa(v[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// shellQuote quotes a word for bash.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/=:,+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// slurmFailed are the Slurm states of a task that ended without finishing its cell.
var slurmFailed = map[string]bool{"FAILED": true, "TIMEOUT": true, "CANCELLED": true, "OUT_OF_MEMORY": true,
	"NODE_FAIL": true, "BOOT_FAIL": true, "DEADLINE": true, "PREEMPTED": true}

// StatusWithSlurm is Status with each cell's Slurm state (SlurmStates). A cell without result.json
// whose task ended in a failed state, or (without accounting) is no longer in the queue and whose
// log does not end with an interruption, is Failed, with the last line of its task's log.
func (s *Sweep) StatusWithSlurm(ctx context.Context) []CellStatus {
	sts := s.Status()
	states, job, queued := s.slurmStates(ctx)
	if job == nil {
		return sts
	}
	submitted := map[int]bool{}
	for _, i := range parseRanges(job.Array) {
		submitted[i] = true
	}
	for i := range sts {
		st := states[i]
		sts[i].Slurm = st
		if sts[i].State == Done || !submitted[i] {
			continue
		}
		logPath := filepath.Join(s.Dir, LogDir, fmt.Sprintf("slurm-%s_%d.out", job.JobID, i))
		ended := slurmFailed[st] || (st == "" && queued && rundir.Exists(logPath))
		if !ended {
			continue
		}
		last := lastLine(logPath)
		if st == "" {
			sts[i].Slurm = "ENDED"
		}
		if strings.Contains(last, "interrupted") {
			continue // a checkpoint was saved: it resumes when the sweep is submitted again
		}
		sts[i].State = Failed
		if sts[i].Error == "" {
			sts[i].Error = fmt.Sprintf("slurm task %s: %s (log: %s)", sts[i].Slurm, last, logPath)
		}
	}
	return sts
}

// parseRanges reads a list written by joinRanges.
func parseRanges(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(p, "-")
		lo, err := strconv.Atoi(a)
		if err != nil {
			continue
		}
		hi := lo
		if isRange {
			if hi, err = strconv.Atoi(b); err != nil {
				continue
			}
		}
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
	}
	return out
}
