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
// Aggregate reads the run folders' result.json and history.jsonl and gives, per (space, data set), the
// mean ± standard deviation over seeds of each algorithm's NAS-Bench-201 accuracies and ranks, final
// entropy of θ and search time; WriteAggregate writes them as aggregate.html, .csv and .json.
package sweep
