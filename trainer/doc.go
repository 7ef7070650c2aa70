// Package trainer is the step engine of training a fixed network: the from-scratch training of a found
// architecture (package scratch runs it: settings, epochs, schedules, run folder) and the weight step of
// the search (package gaea uses its SGD, Cosine and Scalar).
//
// It is deliberately small: a Trainer holds a GoMLX context with the model's variables, compiles a
// training step (forward pass in training mode, cross-entropy plus an optional auxiliary loss, SGD
// update) and an evaluation step (inference mode: batch norm uses its moving averages), and saves and
// restores its whole state atomically. The loop — epochs, schedules, logging — belongs to the caller,
// which sets the learning rate before each step.
//
// The weight optimizer is SGD as PyTorch writes it (GoMLX v0.26 has plain SGD and Adam only):
//
//	g ← clip(∇w) + wd·w        (weight decay on every trainable weight, batch-norm ones included)
//	b ← μ·b + g                 (momentum buffer, zero at first)
//	w ← w − lr·(g + μ·b)        (Nesterov)   or   w ← w − lr·b   (classical momentum)
//
// Batch norm: GoMLX's batchnorm layer updates its moving mean and variance inside the training
// graph (Variable.SetValueGraph) whenever the context is in training mode, and the context's Exec
// writes those updates back after every step, so evaluation in inference mode (SetTraining false) sees
// averages over the training batches. Test accuracy going well above chance on a learnable task
// (TestTrainerLearns) is the check that this actually happens.
//
// Checkpoints: Save writes every variable of the context (weights, momentum buffers, batch-norm
// averages, the random-number state that drop-path draws from) with GoMLX's checkpoints package plus
// the caller's JSON state in gaeanas' one checkpoint scheme (internal/ckpt, as the search's): a
// temporary folder, every file and the folder synced, renamed to dir/checkpoint with the previous one
// kept as dir/checkpoint.prev. A process killed at any moment leaves at least one complete checkpoint,
// and Restore picks the newest whose files match its manifest (reading the checkpoint-<n> folders of
// earlier versions too), so a resumed run continues exactly where the saved one was — bit for bit on
// the same backend.
package trainer
