// Package nb101 reads the NAS-Bench-101 dataset (Ying et al., ICML 2019) and computes its module hash,
// so that a cell found on a NAS-Bench-1Shot1 search space is looked up exactly as the reference does
// (nasbench.api.NASBench.query after api.ModelSpec).
//
// # The dataset file
//
// nasbench_only108.tfrecord (≈ 499 MB; nasbench_full.tfrecord, ≈ 1.95 GB, adds the 4, 12 and 36 epoch
// budgets) is a TFRecord file: every record is framed by its length and two masked CRC-32C checksums
// (Reader, Writer) and holds one training run as the JSON list
//
//	["<module hash>", <epochs>, "<adjacency digits>", "<op>,<op>,…", "<base64 ModelMetrics protobuf>"]
//
// (google-research/nasbench nasbench/api.py lines 146-156; Record, ParseRecord). ModelMetrics is decoded
// by a small hand-written protobuf reader (model_metrics.proto; Metrics, UnmarshalMetrics). Every module
// has three runs per budget; the accuracies the reference reports are those of evaluation_data[2], the
// end of training (api.py lines 187-193).
//
// # Module hash and pruning
//
// Spec is a module: adjacency matrix and op labels. Spec.Prune removes the vertices that are not on an
// input→output path, exactly as ModelSpec._prune (nasbench/lib/model_spec.py lines 77-126), and
// Spec.Hash hashes the pruned module with HashModule, a transcription of the facts of graph_util.py
// hash_module (lines 95-127): MD5s of the Python text of tuples and lists, so the bytes hashed are the
// reference's. The hash agrees with the 30 (hash, module) pairs of NASLib's NAS-Bench-101 test asset
// (automl/NASLib tests/assets/nb101_dummy.pkl, hashes listed in tests/test_nb101_search_space.py lines
// 13-14 and 85-87), which are records of the real dataset.
//
// # Index
//
// Build streams the dataset once (with progress) and keeps the records of one budget for a chosen set of
// modules; Index.WriteFile stores them as a compact checksummed table (96 bytes per module), ReadIndex
// loads it in milliseconds, and Open rebuilds it only when the dataset file, the budget or the selection
// changed. Index.Lookup returns an Entry with the three runs' test and validation accuracies.
//
// # The network
//
// ParamCount gives the parameter count of NAS-Bench-101's network of a module (nasbench/lib/model_builder.py;
// equal to the dataset's trainable_parameters for the modules above), and Network builds that network in
// GoMLX for training from scratch.
//
// NAS-Bench-101 and its code are © Google LLC, Apache License 2.0; this package is written from their
// definitions and contains none of their code.
package nb101
