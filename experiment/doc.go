// Package experiment runs architecture searches as the command line and the notebooks run them: from
// settings to a run folder with a result and a report.
//
// Settings are everything that determines a search (settings.json of its run folder). Every key is
// declared once in Table (package setting): its flag, unit, help, checks and where its default comes
// from. Defaults resolves a preset (quick or paper) for a space and an algorithm from the preset table
// — the algorithms' rows here (presets.go) and the rows of the space's own registration
// (spaces.Descriptor.Presets) — every value with its source; Apply sets values given by the user;
// Validate checks them, asking the space's registration what it supports (partial channels, edge
// weights, single paths). A researcher's geometry and regularisers, registered in package gaea, and
// their own space, registered in package spaces, are named in the settings like the shipped ones
// (Settings.Geometry, Settings.Regularizers, Settings.Space) and recorded by name in settings.json.
//
// The run: Search makes a run folder (package rundir: settings.json, history.jsonl, checkpoints in
// internal/ckpt's scheme, a lock, result.json) and runs the search with progress lines and an ETA;
// SIGINT/SIGTERM (a cancelled context) stops it with a checkpoint (ErrInterrupted) and Resume continues
// it, bit for bit as an uninterrupted run, refusing a geometry or regulariser that is not registered or
// not the one the checkpoint was made with. Prepare and Run.Execute drive the same run step by step
// (a notebook's live search). Finish writes result.json — the genotype the algorithm's reference
// returns (best.go: the best validation epoch's for GAEA, the final one for the baselines, RS-WS's best
// candidate), θ, β and the space's benchmark entries — and report.html (WriteReport, pictures from
// package viz with the space's data).
//
//	import _ "github.com/gaeanas/gaeanas/spaces/nb201" // link the space
//
//	st, err := experiment.Defaults(experiment.Quick, "nb201", experiment.GAEADARTS, "")
//	err = st.Apply(experiment.Overrides{"epochs": 2})
//	res, err := experiment.Search(ctx, st, experiment.Options{Dir: dir, Log: os.Stderr})
//
// Errors about one value are *setting.Error and name its settings key; the command line says them with
// its flags. SearchCommand is gaea search's command line (flags to one call of Search or Resume);
// CheckSearchArgs checks a sweep cell's flags as gaea search would.
package experiment
