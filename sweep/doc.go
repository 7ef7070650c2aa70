// Package sweep runs grids of searches: algorithms × seeds × (optionally) spaces, data sets and
// architecture learning rates, one `gaea search` run folder per cell under a sweep folder, and
// aggregates their results.
//
// A sweep folder holds sweep.json (the grid and its cells, Spec), one run folder per cell (named by
// Cell.Name), and logs/ (each cell's output). Cells run as child processes of the gaea binary:
//
//   - the local executor (RunLocal) runs N at a time on this machine; run it again on the same folder
//     and finished cells (result.json) are skipped, interrupted ones resume (gaea search --resume);
//   - the Slurm executor (SlurmScript, SubmitSlurm) writes one job-array script, one array task per
//     cell, and submits it with sbatch; a requeued task resumes its cell.
//
// AggregateDir reads the run folders' result.json and history.jsonl and gives, per (space, data set),
// the mean ± standard deviation over seeds of each algorithm's benchmark accuracies and ranks (for a
// space with a benchmark: its columns are the benchmark's data sets), final entropy of θ and search
// time, and the found cells; Aggregate.Write writes them as aggregate.html, .csv and .json. Spaces are
// looked up in the registry (package spaces); an unlinked space's runs aggregate without its benchmark,
// and a space whose benchmark is a file (NAS-Bench-1Shot1's NAS-Bench-101 file) is looked up in the file
// AggregateOptions or the environment names; else its table shows the entries the searches stored in
// their result.json (when they ran with the file), or says in one line that it has no lookups.
//
// Command is gaea sweep's command line: the grid flags, the gaea search flags given to every cell (each
// cell is checked as gaea search would check it before anything is written), the executors' options.
package sweep
