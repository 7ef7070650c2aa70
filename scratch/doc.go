// Package scratch trains a found architecture from scratch (gaea train): the final evaluation of a
// search. Its settings (Settings, declared once in Table) take every value not given from the space's
// protocol (spaces.Descriptor.Training.Protocol: NAS-Bench-201's 200 epochs, DARTS's 600 with cutout,
// auxiliary head and drop-path), each row with its source; the network is the space's own
// (spaces.Training.Network), so a space that registers a protocol is trainable with no change here.
//
//	st, err := scratch.Resolve(setting.Overrides{"space": "nb201", "genotype": arch, "epochs": 2})
//	res, err := scratch.Train(ctx, st, scratch.Options{Dir: dir, Log: os.Stderr})
//	res, err = scratch.Resume(ctx, dir, scratch.Options{})  // after an interruption
//
// A run lives in a run folder shared with the search (package rundir): settings.json, history.jsonl
// (one Record per epoch), checkpoints in internal/ckpt's one scheme (every file synced, renamed into
// place, the previous one kept, checked against a SHA-256 manifest), a lock, the signal that stops it
// with a checkpoint, progress lines with an ETA, and result.json; a resumed run ends bit for bit as an
// uninterrupted one. The step itself — forward, loss, PyTorch's SGD, evaluation in inference mode —
// is package trainer's.
//
// # Why not GoMLX's train.Loop
//
// GoMLX's train.Loop (pkg/ml/train) runs a train.Trainer over a train.Dataset with OnStep/OnEnd hooks,
// and its checkpoints handler saves the context's variables. Its hook model is the shape of this loop
// too, but the loop itself does not fit: it drives a *train.Trainer (a concrete type, not an
// interface), whose step is GoMLX's optimizer on a loss, while the reference protocols need PyTorch's
// SGD with weight decay on every weight, gradient clipping and an auxiliary loss (trainer.SGD,
// trainer.Trainer); a bit-identical resume needs the data iterator's position, the epoch's running
// sums and the drop-path schedule in the checkpoint, which the loop's handler does not keep; and the
// search (package gaea) alternates two blocks on two data streams, which no single train.Dataset is.
// The pieces that fit are used: GoMLX's context checkpoints hold the variables, and losses and
// optimizers come from GoMLX where the reference allows.
package scratch
